/**
 * The measurement engine's contract. Everything that needs latency (check, record, sweep, lacs,
 * profile, search) depends on the Measurer interface only, so it can be tested with an injected fake.
 */
import type { ArchConfig, Precision } from '../arch/types';
import type { AdapterInfo, ExecutionProvider, GpuClocks } from './providers';

export type { ExecutionProvider } from './providers';
export type { Precision };
export type RatioVerdict = 'slower' | 'faster' | 'same' | 'inconclusive';

/** A model to measure: an architecture config (built in memory) or an external .onnx file. */
export type ModelInput =
  | { kind: 'config'; name: string; config: ArchConfig }
  /**
   * An .onnx file; `sha256` ("sha256:" + hex): the bytes it must have (a stored model is measured only as it
   * was recorded); `resolution`: the size its symbolic spatial dims are fixed to, over the run's option.
   */
  | { kind: 'onnx'; name: string; path: string; sha256?: string; resolution?: number }
  | { kind: 'bytes'; name: string; bytes: Uint8Array };

export interface MeasureOptions {
  ep: ExecutionProvider;
  batch: number;
  precision: Precision;
  /** Wall-clock budget for warm-up plus the timed phase, seconds (session creation and the first run excluded). */
  budgetSeconds: number;
  /** Stop when every ratio's (or the single median's) 95% CI relative width is below this (default 0.01). */
  precisionTarget: number;
  /** Noise band for the ratio verdict and the stopping rule (default 0.02; the band rule of band.ts). */
  band: number;
  /**
   * The side of each ratio the band judges while deciding when to stop: 'model' (default: each model
   * against the first, as `measure` reports) or 'first' (the first model against each of the others, as
   * `check` judges its candidate). The reported ratios are model / first either way.
   */
  bandSubject?: 'model' | 'first';
  /** Intra-op threads; default: the cores available less one (defaultThreads). */
  threads?: number;
  /** Seed for the round-robin order and the bootstrap. */
  seed?: number;
  deviceId?: number;
  /** TensorRT: fp16 kernels and the engine cache folder. */
  trtFp16?: boolean;
  trtCachePath?: string;
  /** Resolution for external models with dynamic spatial dims. */
  resolution?: number;
  /** Also probe the runner's roofline and place each counted model under it (adds a few seconds). */
  roofline?: boolean;
  /**
   * Sets of sessions each model is measured in, interleaved (default DEFAULT_SLOTS): the session (where its
   * memory lands, which kernels it picks) moves a ratio by 1-2% from run to run, so ratios are judged over
   * slots as well as rounds (stats.ts slottedRatioCI). 1 for many cheap calls (profile, search, LACS grids).
   */
  slots?: number;
}

export const DEFAULT_SLOTS = 3;

export const DEFAULT_MEASURE_OPTIONS: MeasureOptions = {
  ep: 'cpu',
  batch: 1,
  precision: 'fp32',
  budgetSeconds: 20,
  precisionTarget: 0.01,
  band: 0.02,
};

export interface ModelMeasurement {
  name: string;
  median_ms: number;
  mean_ms: number;
  p90_ms: number;
  p99_ms: number;
  mad_ms: number;
  cv: number;
  ci95_ms: [number, number];
  samples: number;
  outliers: number;
  session_ms: number;
  /** The first inference (shader compilation, cuDNN/TensorRT autotuning on GPUs), apart from the steady state. */
  first_run_ms: number;
  warmup_runs: number;
  /**
   * Where a timed run's inputs and outputs live: 'device' (uploaded once, outputs left on the GPU; the run
   * ends when the device is done) or 'host' (every run copies the inputs in and the outputs out).
   */
  io?: 'device' | 'host';
  /** With io 'device': median latency of runs that copy the inputs in and the outputs out, measured beside. */
  with_copies_ms?: number;
  /** Raw steady-state samples in milliseconds, in measurement order. */
  raw_ms: number[];
  /** False when warm-up hit its cap before the latency settled. */
  warmup_steady?: boolean;
  /** Concrete input shapes the model ran with. */
  inputs?: { name: string; type: string; dims: number[] }[];
  /** With the roofline probe, for configs (counted models) only. */
  roofline?: {
    macs: number;
    achieved_gflops: number;
    intensity: number;
    bound: 'memory' | 'compute';
    roof_fraction: number;
  };
}

export interface RooflineSummary {
  peak_gflops: number;
  bandwidth_gbs: number;
  ridge_flops_per_byte: number;
  matmul_n: number;
  elementwise_elements: number;
  precision: Precision;
}

export interface RatioResult {
  /** ratio = median(model) / median(vs); vs is the first model of the call. */
  model: string;
  vs: string;
  ratio: number;
  ci95: [number, number];
  verdict: RatioVerdict;
}

export interface Fingerprint {
  cpu: string;
  cores: number;
  memory_gb: number;
  os: string;
  node: string;
  onnxruntime: string;
  provider: ExecutionProvider;
  gpu?: string;
  driver?: string;
  /** webgpu: the adapter (vendor, architecture, device, driver); part of the target key. */
  adapter?: AdapterInfo;
  /** The CUDA version the NVIDIA driver supports (nvidia-smi), where known. */
  cuda?: string;
  /** nvidia-smi clocks and throttle reasons at measurement time (recorded; not part of the key). */
  clocks?: GpuClocks;
  threads: number;
  batch: number;
  precision: Precision;
}

export interface Target {
  /** Stable key derived from the fingerprint: measurements with different keys are never compared. */
  key: string;
  /** Readable label, e.g. "cpu · AMD EPYC 7B13 x2 · linux-x64 … · onnxruntime 1.30.0 · 1 thread · batch 1 · fp32". */
  label: string;
  fingerprint: Fingerprint;
}

export interface MeasureResult {
  target: Target;
  models: ModelMeasurement[];
  /** With two or more models: each later model against the first. */
  ratios: RatioResult[];
  /** True when the budget ran out before the precision target was met. */
  budget_exhausted: boolean;
  /** Sets of sessions every model was measured in (MeasureOptions.slots); `rounds` counts runs per model. */
  slots?: number;
  rounds: number;
  wall_s: number;
  /** Seed of the round order and the bootstrap: the same seed and samples give the same intervals. */
  seed?: number;
  precision_target?: number;
  band?: number;
  roofline?: RooflineSummary;
}

export interface Measurer {
  measure(models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult>;
  /**
   * Throws at once what measuring with these options would fail on first (an execution provider that
   * cannot load here: exit 3), so that nothing is announced or built before the diagnosis.
   */
  ready?(options?: Partial<MeasureOptions>): void;
}
