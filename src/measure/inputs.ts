/**
 * Turns a ModelInput into something a session can load. Configs are built in memory; .onnx files are read
 * and checked by the one ONNX reader: initializers stored in external files must stay inside the model's
 * folder (a model from a PR must not make the gate read /etc/passwd or another checkout's secrets), and
 * every intermediate tensor is bounded before a session exists.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { countConfig, type NetworkStats } from '../arch/counts';
import { buildModel } from '../onnx/build';
import { UserError } from '../errors';
import { checkInputBytes } from './limits';
import type { ModelSource } from './session';
import type { ArchConfig, ResourceLimits } from '../arch/types';
import { checkResourceLimits } from '../arch/parse';
import type { ModelInput, Precision } from './types';
import { inspectOnnx } from '../onnx/inspect';
import type { GraphStats } from '../onnx/count';
import { typeName } from '../onnx/read';

export interface PreparedModel {
  source: ModelSource;
  /** Exact counts: a config's from its lowered layers, an .onnx model's from its inferred graph. */
  stats?: NetworkStats | GraphStats;
}

export interface PrepareOptions {
  batch: number;
  precision: Precision;
  seed?: number;
  /** Fixes symbolic spatial dims of .onnx inputs. */
  resolution?: number;
  /** Resource limits a config must pass before it is built (default: DEFAULT_LIMITS). */
  limits?: Partial<ResourceLimits>;
}

export type ConfigBuilder = (config: ArchConfig, opts: { batch: number; precision: Precision; seed?: number }) => Uint8Array;

/**
 * Reads an .onnx model through the one ONNX reader (src/onnx/inspect.ts): the bounded decode, external data
 * inside the model's folder, the graph's structure, shape inference with its limits (node executions, bytes
 * of every tensor) and the resource limits, all before a session exists. The inputs' dims are fixed here
 * (batch, resolution) and travel with the source, so the session allocates exactly what was checked.
 */
export function readOnnxFile(
  name: string, modelPath: string, opts: { batch?: number; resolution?: number; limits?: Partial<ResourceLimits>; sha256?: string } = {},
): ModelSource & { stats: GraphStats } {
  const { sha256, ...inspect } = opts;
  const { model, externalFiles, graph, stats } = inspectOnnx(modelPath, {
    ...inspect,
    checkInputs: (inputs) => void checkInputBytes(modelPath, inputs.map((i) => ({ name: i.name, type: typeName(i.type), dims: i.dims }))),
  });
  // The bytes loaded are the bytes that were checked (a stored model is measured only as it was recorded).
  if (sha256 !== undefined && `sha256:${createHash('sha256').update(model.bytes).digest('hex')}` !== sha256) {
    throw new UserError(`${modelPath}: the file changed while it was being measured (its sha256 is no longer ${sha256.slice(0, 19)}…); run again`);
  }
  const inputDims = Object.fromEntries(graph.inputs.map((i) => [i.name, i.dims]));
  // onnxruntime finds external files relative to the model's path, so such models load from the file.
  return externalFiles.length ? { name, path: path.resolve(modelPath), inputDims, stats } : { name, bytes: model.bytes, inputDims, stats };
}

export const defaultConfigBuilder: ConfigBuilder = (config, opts) => buildModel(config, opts);

function checkBeforeBuild(name: string, config: ArchConfig, opts: PrepareOptions): void {
  try {
    checkResourceLimits(config, opts.limits ?? {}, opts.batch);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`model ${JSON.stringify(name.slice(0, 80))}: ${err.message}`);
    throw err;
  }
}

export function prepareModel(input: ModelInput, opts: PrepareOptions, build: ConfigBuilder = defaultConfigBuilder): PreparedModel {
  switch (input.kind) {
    case 'config':
      // The last gate before allocation, whatever the config's origin (file, store, search sample, LACS).
      checkBeforeBuild(input.name, input.config, opts);
      return {
        source: { name: input.name, bytes: build(input.config, { batch: opts.batch, precision: opts.precision, seed: opts.seed }) },
        stats: countConfig(input.config, opts.precision),
      };
    case 'onnx': {
      const { stats, ...source } = readOnnxFile(input.name, input.path, { batch: opts.batch, resolution: input.resolution ?? opts.resolution, limits: opts.limits, sha256: input.sha256 });
      // Per-image counts scale by the batch measured; a batch the graph fixes otherwise is not that batch.
      return { source, ...(stats.batch === opts.batch ? { stats } : {}) };
    }
    case 'bytes':
      return { source: { name: input.name, bytes: input.bytes } };
  }
}
