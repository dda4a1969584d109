/**
 * Batch sizes and precisions in one run: every (batch, precision) combination measured in turn, each its
 * own side-by-side measurement with its own target (batch and precision are part of the target key).
 */
import { PRECISIONS } from '../arch/types';
import { UserError } from '../errors';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Precision } from './types';

export interface MeasureGrid {
  batches: number[];
  precisions: Precision[];
}

export interface MeasureSweepResult {
  runs: (MeasureResult & { batch: number; precision: Precision })[];
}

/** "1,8,64" -> [1, 8, 64]: integers in [1, max], no duplicates. */
export function parseBatchList(text: string, flag = '--batch', max = 4096): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!/^[0-9]+$/.test(p) || n < 1 || n > max) throw new UserError(`${flag}: expected integers in [1, ${max}] separated by commas (e.g. 1,8,64), got ${JSON.stringify(text)}`);
    if (out.includes(n)) throw new UserError(`${flag}: ${n} is listed twice in ${JSON.stringify(text)}`);
    out.push(n);
  }
  return out;
}

const isPrecision = (p: string): p is Precision => (PRECISIONS as readonly string[]).includes(p);

/** "fp32,fp16" -> ['fp32', 'fp16']. */
export function parsePrecisionList(text: string, flag = '--precision'): Precision[] {
  const out: Precision[] = [];
  for (const p of text.split(',').map((x) => x.trim())) {
    if (!isPrecision(p)) throw new UserError(`${flag}: expected ${PRECISIONS.join(' | ')} (or several: ${PRECISIONS.join(',')}), got ${JSON.stringify(text)}`);
    if (out.includes(p)) throw new UserError(`${flag}: ${p} is listed twice in ${JSON.stringify(text)}`);
    out.push(p);
  }
  return out;
}

export async function measureGrid(measurer: Measurer, models: ModelInput[], options: Partial<MeasureOptions>, grid: MeasureGrid, log: (line: string) => void = () => undefined): Promise<MeasureSweepResult> {
  const runs: MeasureSweepResult['runs'] = [];
  for (const precision of grid.precisions) {
    for (const batch of grid.batches) {
      if (grid.batches.length * grid.precisions.length > 1) log(`batch ${batch} ${precision}`);
      const result = await measurer.measure(models, { ...options, batch, precision });
      runs.push({ ...result, batch, precision });
    }
  }
  return { runs };
}
