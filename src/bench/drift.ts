/**
 * Issue 22's drift figures, with the real engine on this machine: nightly sweeps of a four-model store
 * (each night is one `runSweep`, dated a day apart), judged as `sweep` judges them (frontier/drift.ts).
 *  - A/A nights, quiet, then beside a memory-bound load on the other core: false model drifts per
 *    model-night (target 0 beside the load), `pending` nights, runner shifts reported;
 *  - a real 5% slowdown of one model from a given night on, injected below the store (the measurer is
 *    handed that model with a wider head, the others unchanged): the night it is alerted
 *    (target: the second night), and false drifts of the other models;
 *  - a runner-wide slowdown (the load starts mid-history): one runner shift, no model drifts.
 * BENCH_QUICK=1: fewer nights and a shorter budget.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { configHash, emptyStore, storedConfig, type FrontierStore } from '../frontier/store';
import { DEFAULT_TOLERANCES } from '../frontier/position';
import { runSweep, type SweepReport } from '../frontier/sweep';
import type { Measurer, ModelInput } from '../measure/types';

const ROOT = path.join(__dirname, '..', '..');
const QUICK = process.env.BENCH_QUICK === '1';
const NIGHTS = QUICK ? 10 : 20;
const BUDGET_S = QUICK ? 4 : 8;
const MODELS = ['mobilenet-v2', 'genet-light', 'efficientnet-b0', 'resnet-18'];
const SLOWED = 'genet-light';

/** A store of the four models with no measurements yet: the first sweep records them. */
function baseStore(): FrontierStore {
  const records = MODELS.map((m) => {
    const stored = storedConfig(loadArchConfig(path.join(ROOT, 'fixtures/archs', `${m}.yaml`)));
    return { name: stored.name, provenance: 'config' as const, config_hash: configHash(stored), config: stored, accuracy: null, targets: {} };
  });
  return { ...emptyStore(), records };
}

/**
 * The measurer with one model really slower, below the store: it is handed that model with a wider head
 * conv (GENet-light's 1920 channels x 1.68 measured 5% slower here, side by side; the input grid, and so
 * every other layer, is unchanged).
 */
function slowing(inner: Measurer, name: string, headScale: number): Measurer {
  const wider = (c: ArchConfig): ArchConfig => ({ ...c, head: { ...c.head!, channels: Math.round(c.head!.channels * headScale) } });
  return {
    measure: (models: ModelInput[], options) => inner.measure(models.map((m) => (m.name === name && m.kind === 'config' ? { ...m, config: wider(m.config as ArchConfig) } : m)), options),
  } as Measurer;
}

/** A memory-bound loop on another core: strides through 256 MiB, as a neighbour's job would. */
function memoryLoad(): ChildProcess {
  const code = 'const b=new Float64Array(32*1024*1024);let s=0;for(;;){for(let i=0;i<b.length;i+=8){b[i]+=1;s+=b[i]}}';
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

interface Night {
  night: number;
  report: SweepReport;
}

async function nights(store: FrontierStore, from: number, count: number, measurer: Measurer): Promise<{ store: FrontierStore; nights: Night[] }> {
  const out: Night[] = [];
  for (let i = 0; i < count; i++) {
    const night = from + i;
    const r = await runSweep(store, { budgetSeconds: BUDGET_S, latencyTolerance: DEFAULT_TOLERANCES.latency }, { measurer, now: () => new Date(Date.UTC(2026, 0, 1 + night)) });
    store = r.store;
    out.push({ night, report: r.report });
  }
  return { store, nights: out };
}

const judged = (n: Night) => n.report.rows.filter((r) => r.basis === 'ratio' && r.status !== 'new');
const drifts = (n: Night, except?: string) => (n.report.together ? [] : judged(n).filter((r) => (r.status === 'slower' || r.status === 'faster') && r.name !== except));
const pendings = (n: Night) => judged(n).filter((r) => r.status === 'pending');

function summary(label: string, ns: Night[]): void {
  const modelNights = ns.reduce((a, n) => a + judged(n).length, 0);
  const falseDrifts = ns.reduce((a, n) => a + drifts(n).length, 0);
  const pending = ns.reduce((a, n) => a + pendings(n).length, 0);
  const shifts = ns.filter((n) => n.report.runner_shift).length;
  const together = ns.filter((n) => n.report.together).length;
  console.log(`  ${label}: ${falseDrifts} model drift(s) in ${modelNights} judged model-nights (${pending} pending), ${shifts} night(s) with a runner shift, ${together} with all models together`);
}

export async function bench(): Promise<void> {
  const { createMeasurer } = await import('../measure');
  const measurer = createMeasurer();
  const t0 = Date.now();
  console.log(`drift: ${MODELS.length} models, anchor by median MACs, ${BUDGET_S} s per nightly sweep, ${NIGHTS} nights per case, tolerance ${DEFAULT_TOLERANCES.latency * 100}%`);
  // Quiet A/A: the first night records, the rest are judged against a growing history.
  const quiet = await nights(baseStore(), 0, NIGHTS, measurer);
  console.log(`  anchor: ${quiet.nights[0].report.anchor}`);
  summary('A/A quiet', quiet.nights.slice(1));
  // A/A beside the load, continuing the same history: the load starting is also a runner-wide slowdown.
  const load = memoryLoad();
  let loaded: { store: FrontierStore; nights: Night[] };
  try {
    loaded = await nights(quiet.store, NIGHTS, NIGHTS, measurer);
  } finally {
    load.kill('SIGKILL');
  }
  summary('A/A beside a memory-bound load', loaded.nights);
  const first = loaded.nights[0];
  const shift = first.report.runner_shift;
  console.log(
    `  runner-wide slowdown (the load's first night): ${shift ? `one runner shift, anchor ${(shift.change * 100).toFixed(1)}% ${shift.status}` : 'no runner shift (the anchor stayed within ±3%)'}, ` +
      `${drifts(first).length} model drift(s)`,
  );
  // A real 5% step in one model, on the quiet history.
  const step = await nights(quiet.store, NIGHTS * 2, 3, slowing(measurer, SLOWED, 1.68));
  const alerted = step.nights.findIndex((n) => judged(n).some((r) => r.name === SLOWED && r.status === 'slower'));
  const row = (n: Night) => judged(n).find((r) => r.name === SLOWED);
  console.log(
    `  5% slowdown of ${SLOWED}: nights ${step.nights.map((n) => `${row(n)?.status ?? '-'} ${row(n)?.drift != null ? `${(row(n)!.drift! * 100).toFixed(1)}%` : ''}`).join(', ')}; ` +
      `${alerted >= 0 ? `alerted on night ${alerted + 1} after the change (target: 2)` : 'not alerted within 3 nights'}; ` +
      `${step.nights.reduce((a, n) => a + drifts(n, SLOWED).length, 0)} false drift(s) of the other models`,
  );
  console.log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s for this section`);
}
