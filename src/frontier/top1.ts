/**
 * Reading a top-1 value: percent or fraction, one rule for every source (--accuracy, metrics files, model
 * cards). Its own module so every reader imports the same function.
 */
import { UserError } from '../errors';
import { quoteValue } from '../util/describe';

/**
 * THE rule for reading a top-1 value, shared by --accuracy, metrics files and model cards (docs/onnx.md,
 * README "The gate"): a value with a trailing "%" is a percentage ("0.61%" is 0.61 percent); a bare number
 * in [0, 1] is a fraction and is multiplied by 100 (0.7769 -> 77.69); a bare number in (1, 100] is a
 * percentage; anything else is refused. The reading is stated wherever the value is shown ("(fraction x100)"),
 * so 0.61 meaning 61% is never silent. (Configs and LACS accuracy tables declare percent in their schemas.)
 */
export function toPercent(value: unknown, what: string): { top1: number; fraction: boolean } {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const percentSign = text !== undefined && text.endsWith('%');
  const numeric = text !== undefined ? (percentSign ? text.slice(0, -1).trim() : text) : undefined;
  const n = numeric !== undefined ? (numeric !== '' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(numeric) ? Number(numeric) : NaN) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new UserError(`${what}: expected a number (top-1 accuracy, e.g. 77.69, 77.69% or 0.7769), got ${quoteValue(value)}`);
  if (percentSign) {
    if (n < 0 || n > 100) throw new UserError(`${what}: top-1 accuracy must be within 0%..100%, got ${quoteValue(value)}`);
    return { top1: n, fraction: false };
  }
  if (n < 0 || n > 100) throw new UserError(`${what}: top-1 accuracy must be within 0..100 (percent) or 0..1 (fraction), got ${quoteValue(value)}`);
  return n <= 1 ? { top1: +(n * 100).toFixed(6), fraction: true } : { top1: n, fraction: false };
}

/** How a value was read, appended to its source: " (fraction x100)" or nothing. */
export const readingNote = (fraction: boolean): string => (fraction ? ' (fraction x100)' : '');
