/**
 * Resource limits of measured models that are not architecture configs (those pass
 * arch/parse.ts checkResourceLimits): the bytes of an external .onnx model's input tensors.
 */
import { UserError } from '../errors';

const ELEMENT_BYTES: Record<string, number> = { float32: 4, float64: 8, float16: 2, int32: 4, int64: 8, int8: 1, uint8: 1, bool: 1 };

/** Default cap on the bytes of one model's input tensors (all inputs together); env FRONTIER_GATE_MAX_INPUT_BYTES overrides. */
export const DEFAULT_MAX_INPUT_BYTES = 1024 ** 3;

export function maxInputBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FRONTIER_GATE_MAX_INPUT_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_MAX_INPUT_BYTES;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`FRONTIER_GATE_MAX_INPUT_BYTES: expected a positive number of bytes, got ${JSON.stringify(raw.slice(0, 40))}`);
  return n;
}

/**
 * Bytes of the input tensors a model needs, checked against the limit before any is allocated: an .onnx
 * whose input is 65536x65536 is a clear error (exit 2), not 'Array buffer allocation failed'.
 */
export function checkInputBytes(model: string, inputs: readonly { name: string; type: string; dims: number[] }[], limit = maxInputBytes()): number {
  let total = 0;
  for (const i of inputs) {
    const elements = i.dims.reduce((a, b) => a * b, 1);
    const bytes = elements * (ELEMENT_BYTES[i.type] ?? 8);
    total += bytes;
    if (!Number.isSafeInteger(elements) || total > limit) {
      throw new UserError(
        `${model}: input '${i.name}' of shape [${i.dims.join(', ')}] (${i.type}) needs ${Number.isFinite(total) ? total.toLocaleString('en-US') : 'more than 2^53'} bytes, ` +
          `over the limit of ${limit.toLocaleString('en-US')} bytes for a model's inputs (maxInputBytes; raise it with FRONTIER_GATE_MAX_INPUT_BYTES)`,
      );
    }
  }
  return total;
}
