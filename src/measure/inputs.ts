/**
 * Turns a ModelInput into something a session can load. Configs are built in memory; external .onnx files
 * are read and checked: initializers stored in external files must stay inside the model's folder (a model
 * from a PR must not make the gate read /etc/passwd or another checkout's secrets).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { countConfig, type NetworkStats } from '../arch/counts';
import { buildModel } from '../onnx/build';
import { UserError } from '../errors';
import { checkInputBytes } from './limits';
import type { ModelSource } from './session';
import type { ArchConfig, ResourceLimits } from '../arch/types';
import { checkResourceLimits } from '../arch/parse';
import type { ModelInput, Precision } from './types';
import { describeFileType, FILE_LIMITS, formatBytes, readRegularFile } from '../util/fs';

export interface PreparedModel {
  source: ModelSource;
  /** Exact counts, for configs only (external graphs are not counted). */
  stats?: NetworkStats;
}

export interface PrepareOptions {
  batch: number;
  precision: Precision;
  seed?: number;
  /** Resource limits a config must pass before it is built (default: DEFAULT_LIMITS). */
  limits?: Partial<ResourceLimits>;
}

export type ConfigBuilder = (config: ArchConfig, opts: { batch: number; precision: Precision; seed?: number }) => Uint8Array;

type TensorLike = onnx.ITensorProto | null | undefined;

/** Every tensor of a graph (initializers, sparse initializers, constant attributes, subgraphs) that could name an external file. */
function* graphTensors(graph: onnx.IGraphProto | null | undefined): Generator<onnx.ITensorProto> {
  if (!graph) return;
  for (const t of graph.initializer ?? []) yield t;
  for (const s of graph.sparseInitializer ?? []) {
    if (s.values) yield s.values;
    if (s.indices) yield s.indices;
  }
  for (const node of graph.node ?? []) {
    for (const attr of node.attribute ?? []) {
      const tensors: TensorLike[] = [attr.t, ...(attr.tensors ?? [])];
      for (const t of tensors) if (t) yield t;
      if (attr.g) yield* graphTensors(attr.g);
      for (const g of attr.graphs ?? []) yield* graphTensors(g);
    }
  }
}

/** External-data files a model refers to, each checked to resolve inside the model's folder. */
export function checkExternalData(model: onnx.IModelProto, modelPath: string): string[] {
  const folder = fs.realpathSync(path.dirname(path.resolve(modelPath)));
  const files = new Set<string>();
  for (const tensor of graphTensors(model.graph)) {
    const external = tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (tensor.externalData?.length ?? 0) > 0;
    if (!external) continue;
    const location = tensor.externalData?.find((e) => e.key === 'location')?.value;
    if (!location) throw new UserError(`${modelPath}: tensor '${tensor.name}' is stored externally but names no location`);
    const target = path.resolve(folder, location);
    // Real path too: a symlink inside the folder may point outside it.
    const real = fs.existsSync(target) ? fs.realpathSync(target) : target;
    for (const candidate of [target, real]) {
      const rel = path.relative(folder, candidate);
      if (path.isAbsolute(location) || rel.startsWith('..') || path.isAbsolute(rel)) {
        throw new UserError(
          `${modelPath}: tensor '${tensor.name}' keeps its data in ${JSON.stringify(location)}, outside the model's folder ${folder}; ` +
            'external data must sit next to the model (refused)',
        );
      }
    }
    if (!fs.existsSync(real)) throw new UserError(`${modelPath}: tensor '${tensor.name}' needs external data file ${JSON.stringify(location)}, which does not exist`);
    const st = fs.statSync(real);
    if (!st.isFile()) throw new UserError(`${modelPath}: tensor '${tensor.name}': external data ${JSON.stringify(location)} is ${describeFileType(st)}; expected a regular file`);
    if (st.size > FILE_LIMITS.onnx) {
      throw new UserError(`${modelPath}: tensor '${tensor.name}': external data ${JSON.stringify(location)} is ${formatBytes(st.size)}, over the ${formatBytes(FILE_LIMITS.onnx)} limit (FILE_LIMITS.onnx)`);
    }
    files.add(real);
  }
  return [...files];
}

const ONNX_TYPES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };

/**
 * The graph's inputs (initializers excluded) with their fixed dims; a symbolic dim counts as 1 here (it is
 * checked again with --batch/--resolution when the inputs are allocated).
 */
export function staticInputs(graph: onnx.IGraphProto): { name: string; type: string; dims: number[] }[] {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const out: { name: string; type: string; dims: number[] }[] = [];
  for (const input of graph.input ?? []) {
    if (!input.name || initializers.has(input.name)) continue;
    const tensor = input.type?.tensorType;
    if (!tensor) continue;
    const dims = (tensor.shape?.dim ?? []).map((d) => {
      const v = d.dimValue === undefined || d.dimValue === null ? NaN : Number(d.dimValue);
      return Number.isFinite(v) && v > 0 ? v : 1;
    });
    out.push({ name: input.name, type: ONNX_TYPES[tensor.elemType ?? 1] ?? 'float64', dims });
  }
  return out;
}

export function readOnnxFile(name: string, modelPath: string): ModelSource {
  let bytes: Uint8Array;
  try {
    bytes = readRegularFile(modelPath, { what: '.onnx model', kind: 'onnx' });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${modelPath}: cannot read the model: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new UserError(`${modelPath}: not an ONNX model (protobuf decode failed: ${(err as Error).message})`);
  }
  if (!model.graph) throw new UserError(`${modelPath}: not an ONNX model (no graph)`);
  checkInputBytes(modelPath, staticInputs(model.graph));
  const external = checkExternalData(model, modelPath);
  // onnxruntime finds external files relative to the model's path, so such models load from the file.
  return external.length ? { name, path: path.resolve(modelPath) } : { name, bytes };
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
    case 'onnx':
      return { source: readOnnxFile(input.name, input.path) };
    case 'bytes':
      return { source: { name: input.name, bytes: input.bytes } };
  }
}
