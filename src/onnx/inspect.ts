/**
 * An .onnx model as a first-class input, in one call: read (read.ts: bounded decode, external data inside
 * the model's folder, graph structure), fix the inputs' dims and infer every shape (infer.ts: the tensor and
 * node-execution limits), count (count.ts), and check the resource limits configs pass too (params, MACs,
 * peak activation bytes at the batch measured). `stats` and `measure` both come through here, so a model
 * is refused the same way whichever command reads it, before any session exists.
 */
import * as path from 'node:path';
import { UserError } from '../errors';
import { DEFAULT_LIMITS, type ResourceLimits } from '../arch/types';
import { countGraph, type GraphStats } from './count';
import { DEFAULT_INFER_LIMITS, inferModel, type GraphInput, type InferredGraph } from './infer';
import { ONNX_LIMITS, readOnnxModel, type OnnxLimits, type OnnxModel } from './read';

export interface InspectOptions {
  /** Fixes a symbolic batch dim (default 1); a batch the graph states is kept. */
  batch?: number;
  /** Fixes symbolic spatial dims of 4-D image inputs. */
  resolution?: number;
  limits?: Partial<ResourceLimits>;
  onnxLimits?: Partial<OnnxLimits>;
  /** Node executions of one inference (loops unrolled); default DEFAULT_INFER_LIMITS.maxNodeRuns. */
  maxNodeRuns?: number;
  /** Checks the fixed inputs before any other shape is inferred. */
  checkInputs?: (inputs: GraphInput[]) => void;
}

export interface InspectedModel {
  model: OnnxModel;
  /** External data files (real paths inside the model's folder). */
  externalFiles: string[];
  graph: InferredGraph;
  stats: GraphStats;
}

/** The model's name: its file name without the extension. */
export const onnxModelName = (file: string): string => path.basename(file, path.extname(file));

export function inspectOnnx(file: string, opts: InspectOptions = {}): InspectedModel {
  const limits: ResourceLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(opts.limits ?? {}).filter(([, v]) => v !== undefined)) };
  const { model, order, externalFiles } = readOnnxModel(file, { ...ONNX_LIMITS, ...opts.onnxLimits });
  const graph = inferModel(model, order, {
    batch: opts.batch,
    resolution: opts.resolution,
    checkInputs: opts.checkInputs,
    // One tensor can never be larger than the peak of all live ones: the activation limit bounds both.
    limits: { maxTensorBytes: limits.maxActivationBytes, maxNodeRuns: opts.maxNodeRuns ?? DEFAULT_INFER_LIMITS.maxNodeRuns },
  });
  const stats = countGraph(graph, onnxModelName(file));
  const over = (what: string, value: number, limit: number, key: string, hint: string) => {
    throw new UserError(`${file}: ${what} ${Math.round(value).toLocaleString('en-US')} over the limit ${limit.toLocaleString('en-US')} (${key}); ${hint}`);
  };
  if (stats.params > limits.maxParams) over('params', stats.params, limits.maxParams, 'maxParams; --max-params raises it', 'a smaller model, or raise the limit');
  if (stats.macs * graph.batch > limits.maxMacs) over(`multiply-adds at batch ${graph.batch}`, stats.macs * graph.batch, limits.maxMacs, 'maxMacs; --max-macs raises it', 'lower the batch or resolution, or raise the limit');
  if (stats.peak_activation_bytes * graph.batch > limits.maxActivationBytes) {
    over(`peak activation bytes at batch ${graph.batch}`, stats.peak_activation_bytes * graph.batch, limits.maxActivationBytes, 'maxActivationBytes; --max-activation-bytes raises it', 'lower the batch or resolution, or raise the limit');
  }
  return { model, externalFiles, graph, stats };
}
