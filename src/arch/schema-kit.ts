/** Small builders of JSON-Schema fragments, shared by the schema (schema.ts) and the block registry. */
import type { JsonSchema } from './types';

/** An integer in [minimum, maximum]. */
export const int = (minimum: number, maximum: number, description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'integer', minimum, maximum, description, ...extra,
});

/** A number > 0 (`positive`) or >= `low`, up to `maximum`, with its default. */
export function num<D extends number>(low: number | 'positive', maximum: number, fallback: D, description: string): JsonSchema & { default: D } {
  const bound = low === 'positive' ? { exclusiveMinimum: 0 } : { minimum: low };
  return { type: 'number', ...bound, maximum, default: fallback, description };
}
