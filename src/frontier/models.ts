/**
 * What the gate measures, whatever its provenance: a network built from an architecture config, an .onnx
 * file of the repository, or a published model of the catalogue. Candidates (check), inputs to record and
 * stored records (check's contenders, sweep) all become a GateModel here, and this is the one place that
 * turns one into what the measurer takes, its counts, and the fields a record stores it as.
 *
 * An .onnx model is recorded by what it is: its repository path, the sha256 of its bytes and of its external
 * data, and the network hash of its graph and weight shapes (onnx/identity.ts). A stored .onnx record is
 * measured again only when the file at its path still has those bytes (storedModel): a file that is
 * missing, changed or a Git LFS pointer at this commit is reported, never measured in its place. The
 * measurer checks the sha256 once more on the bytes it loads (measure/inputs.ts), so nothing between the
 * check and the session can swap the file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countConfig } from '../arch/counts';
import type { ArchConfig, Precision, ResourceLimits } from '../arch/types';
import { UserError } from '../errors';
import type { ModelInput } from '../measure/types';
import type { GraphStats } from '../onnx/count';
import { onnxNetworkHash } from '../onnx/identity';
import { inspectOnnx, onnxModelName } from '../onnx/inspect';
import { repoPath, type RepoPath } from '../util/paths';
import { configHash, storedConfig, type FrontierRecord, type Provenance, type StoredOnnx, type StoredPublished } from './store';

export interface GateModel {
  name: string;
  provenance: Provenance;
  /** config and published models. */
  config?: ArchConfig;
  /** onnx models: the file as recorded, and where it is on this machine. */
  onnx?: StoredOnnx;
  onnxFile?: string;
  published?: StoredPublished;
}

/** Where a command finds the repository's files (the CLI's folder, the action's workspace). */
export interface ModelFiles {
  /** The repository root every recorded path is relative to. */
  root: string;
}

/** A model built from a config (provenance config, or published with its catalogue result). */
export function configModel(config: ArchConfig, published?: StoredPublished): GateModel {
  return { name: config.name, provenance: published ? 'published' : 'config', config, ...(published ? { published } : {}) };
}

/** "sha256:" + hex of a file's bytes, read in chunks (a model file can be gigabytes). */
export function fileSha256(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return `sha256:${hash.digest('hex')}`;
}

export const bytesSha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A record's name for an .onnx file: its file name without the extension, lowercased, other characters as '-'. */
export function onnxRecordName(file: string): string {
  const name = onnxModelName(file).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  if (!name) throw new UserError(`${file}: its file name gives no model name; name the file [a-z0-9._-].onnx`);
  return name.slice(0, 128);
}

export interface OnnxInspection {
  model: GateModel;
  stats: GraphStats;
}

/**
 * An .onnx file as a model: read, fixed to `batch`/`resolution`, inferred and counted (onnx/inspect.ts, every
 * limit before any session), then identified by its bytes and network. `file` is confined to the
 * repository at `files.root` (util/paths.ts); external data is inside the model's folder (the reader).
 */
export function inspectOnnxModel(file: string, files: ModelFiles, opts: { batch?: number; resolution?: number; limits?: Partial<ResourceLimits>; what?: string } = {}): OnnxInspection {
  const at = repoPath(files.root, file, opts.what ?? file);
  const { model, externalFiles, stats } = inspectOnnx(at.abs, { batch: opts.batch, resolution: opts.resolution, limits: opts.limits });
  const external = externalFiles.map((f) => ({ path: repoPath(files.root, f, `${file}: external data`).rel, sha256: fileSha256(f) }));
  const onnx: StoredOnnx = {
    path: at.rel,
    sha256: bytesSha256(model.bytes),
    external_data: external,
    network_hash: onnxNetworkHash(model),
    opset: stats.opset,
    producer: stats.producer.slice(0, 256),
    precision: stats.precision,
    input: stats.inputs.map((i) => ({ name: i.name, dims: [...i.dims], ...(i.layout ? { layout: i.layout.order } : {}) })),
    fixed: stats.fixed.filter((f) => f.by !== 'graph').map((f) => ({ input: f.input, axis: f.axis, declared: f.declared, value: f.value, by: f.by })),
    resolution: stats.fixed.some((f) => f.by === '--resolution') ? (opts.resolution ?? null) : null,
    counts: {
      params: stats.params, macs: stats.macs, weight_bytes: stats.weight_bytes, activation_bytes: stats.activation_bytes,
      peak_activation_bytes: stats.peak_activation_bytes, intensity: stats.intensity,
      partial: stats.partial ? { ops: stats.partial.ops.map((o) => o.op), unknown_nodes: stats.partial.unknown_nodes } : null,
    },
  };
  return { model: { name: onnxRecordName(at.rel), provenance: 'onnx', onnx, onnxFile: at.abs }, stats };
}

/** What the measurer takes for a model: a config to build, or the .onnx file with the bytes it must have. */
export function modelInput(m: GateModel): ModelInput {
  if (m.onnx) {
    if (!m.onnxFile) throw new Error(`model ${m.name}: an .onnx model without its file`);
    return { kind: 'onnx', name: m.name, path: m.onnxFile, sha256: m.onnx.sha256, ...(m.onnx.resolution !== null ? { resolution: m.onnx.resolution } : {}) };
  }
  return { kind: 'config', name: m.name, config: m.config! };
}

export interface ModelCounts {
  params: number;
  /** Per image. */
  macs: number;
  intensity: number;
}

/** Counts of configs, cached by config hash and precision; an .onnx model's come from its graph (its own precision). */
export function modelCounter(precision: Precision = 'fp32'): (m: Pick<GateModel, 'config' | 'onnx'>) => ModelCounts {
  const cache = new Map<string, ModelCounts>();
  return (m) => {
    if (m.onnx) return { params: m.onnx.counts.params, macs: m.onnx.counts.macs, intensity: m.onnx.counts.intensity };
    const key = configHash(m.config!);
    let c = cache.get(key);
    if (!c) {
      const s = countConfig(m.config!, precision);
      cache.set(key, (c = { params: s.params, macs: s.macs, intensity: s.intensity }));
    }
    return c;
  };
}

/** The fields a record stores for a model: its provenance and what it is (config and hash, file, published result). */
export function recordFields(m: GateModel): Pick<FrontierRecord, 'provenance' | 'config_hash' | 'config' | 'onnx' | 'published'> {
  if (m.onnx) return { provenance: 'onnx', onnx: m.onnx };
  const config = storedConfig(m.config!);
  return { provenance: m.provenance, config_hash: configHash(config), config, ...(m.published ? { published: m.published } : {}) };
}

/** Why a stored .onnx record cannot be measured at this commit. */
export type Unavailable = {
  name: string;
  path: string;
  reason: 'missing' | 'changed' | 'lfs-pointer' | 'outside';
  /** One sentence for the report. */
  detail: string;
};

const LFS_HEADER = 'version https://git-lfs.github.com/spec/';

/** A Git LFS pointer checked out in place of the file (a repository that keeps models in LFS, without `lfs: true`). */
export function isLfsPointer(file: string): boolean {
  const st = fs.statSync(file);
  if (st.size >= 1024) return false;
  return fs.readFileSync(file).subarray(0, LFS_HEADER.length).toString('latin1') === LFS_HEADER;
}

/**
 * A stored record as a model to measure: config and published records as they are; an .onnx record only
 * when the file at its path (and each external data file) has the bytes it was recorded with.
 */
export function storedModel(r: FrontierRecord, files: ModelFiles | undefined): GateModel | Unavailable {
  if (!r.onnx) return { name: r.name, provenance: r.provenance, config: r.config!, ...(r.published ? { published: r.published } : {}) };
  const stored = r.onnx;
  const unavailable = (reason: Unavailable['reason'], detail: string): Unavailable => ({ name: r.name, path: stored.path, reason, detail });
  if (!files) return unavailable('missing', `its file ${stored.path} is not at hand (no repository to read it from)`);
  const check = (rel: string, sha256: string, what: string): Unavailable | RepoPath => {
    let at: RepoPath;
    try {
      at = repoPath(files.root, rel, `${what} ${rel}`);
    } catch (err) {
      if (err instanceof UserError) return unavailable('outside', err.message);
      throw err;
    }
    if (!fs.existsSync(at.abs) || !fs.statSync(at.abs).isFile()) return unavailable('missing', `${what} ${rel} is not in the repository at this commit`);
    if (isLfsPointer(at.abs)) return unavailable('lfs-pointer', `${what} ${rel} is a Git LFS pointer, not the model: fetch the LFS files first (git lfs pull, or actions/checkout with lfs: true)`);
    if (fileSha256(at.abs) !== sha256) return unavailable('changed', `${what} ${rel} has other bytes than were recorded; record it again to measure it`);
    return at;
  };
  const main = check(stored.path, stored.sha256, 'its file');
  if ('reason' in main) return main;
  for (const d of stored.external_data) {
    const ext = check(d.path, d.sha256, 'its external data');
    if ('reason' in ext) return ext;
  }
  return { name: r.name, provenance: 'onnx', onnx: stored, onnxFile: main.abs };
}

export const isUnavailable = (m: GateModel | Unavailable): m is Unavailable => 'reason' in m;

/** The folder of an .onnx model (for the model card beside it). */
export const modelFolder = (m: GateModel): string | undefined => (m.onnxFile ? path.dirname(m.onnxFile) : undefined);
