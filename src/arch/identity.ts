/**
 * The identities of a config, in one place:
 *  - configHash: what the config says about the network (name, description, family and accuracy left
 *    out), over canonical JSON (sorted keys), "sha256:" + hex. The frontier store's `config_hash`: its
 *    value must never change for a given config, or every stored record would stop matching.
 *  - networkHash: what the config builds, a hash of the lowered layer list (shapes, kernels, strides,
 *    groups, activations) and the classes, 16 hex digits. Two configs that build the same network (two
 *    coefficient triples that round to the same channels, repeats and resolution) share it, so LACS and
 *    search measure it once. It depends on the lowered form only, never on a config's key order.
 */
import { createHash } from 'node:crypto';
import { lower } from './lower';
import type { ArchConfig } from './types';

/** Keys with sorted names at every level, no whitespace, undefined fields left out: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Metadata that does not change the network a config builds. */
export const NON_ARCHITECTURE_KEYS = ['name', 'description', 'family', 'accuracy'] as const;

/** The store's config identity: renaming a model or editing its accuracy keeps the hash. */
export function configHash(config: ArchConfig): string {
  const body: Record<string, unknown> = { ...config };
  for (const key of NON_ARCHITECTURE_KEYS) delete body[key];
  return 'sha256:' + createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * The network identity (what LACS and search dedupe and cache on). The lowered layers are records the
 * lowering writes field by field in one fixed order, so this text depends only on the network; the
 * values equal those LACS reported before this module existed (its accuracy tables and caches stay valid).
 */
export function networkHash(config: ArchConfig): string {
  const net = lower(config);
  const body = JSON.stringify({ input: net.input, layers: net.layers, output: net.output, classes: config.classes });
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}
