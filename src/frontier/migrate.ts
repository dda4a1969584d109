/**
 * The frontier store's versions and the one chain of migrations between them (the mechanism, shared with
 * other stored formats, is src/util/versioned.ts). validateStore migrates on read, before the current
 * schema validates; every writer serializes the current version, so the next write of an old store
 * upgrades it, and a store that fails validation is never rewritten, migrated or not.
 *
 * Version 2:
 *  - `records[].lacs[target].base_hash` is `base_config_hash`: it holds the store config hash of the base
 *    the coefficients were searched for (arch/identity.ts configHash), never a network hash.
 *  - `records[].provenance` (config | onnx | published) says where a record's model comes from; version 1
 *    records were all built from configs. An onnx record holds `onnx` (its file's path, sha256 and network
 *    hash, inputs, counts) instead of `config` and `config_hash`; a published one adds `published` (the
 *    catalogue result it stands for).
 *
 * Adding a field in this round goes into version 2, not a version 3: its schema in store.schema.json, its
 * type in store.ts, its place in KEY_ORDER (store.ts), and, when a version 1 store must get a value for it
 * (a required field, a default), one step in V1_TO_V2 below, named for what it fills. An optional field
 * that old stores simply lack needs no step. Steps take the parsed JSON and change it in place; they must
 * not throw on malformed input (the schema reports that with the file named), only move and fill.
 */
import type { Json, VersionedFormat } from '../util/versioned';

export const STORE_VERSION = 2;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each record of a store document that is an object (anything else is left for the schema to refuse). */
function eachRecord(doc: Json, f: (record: Json) => void): void {
  if (Array.isArray(doc.records)) for (const r of doc.records) if (isObject(r)) f(r);
}

/** Renames a key of an object, keeping a value already under the new name (never overwrites). */
function rename(o: Json, from: string, to: string): void {
  if (!(from in o)) return;
  if (!(to in o)) o[to] = o[from];
  delete o[from];
}

/** `lacs[target].base_hash` -> `base_config_hash` (it was always the base's config hash). */
function lacsBaseConfigHash(doc: Json): void {
  eachRecord(doc, (r) => {
    if (isObject(r.lacs)) for (const entry of Object.values(r.lacs)) if (isObject(entry)) rename(entry, 'base_hash', 'base_config_hash');
  });
}

/** Every version 1 record was built from a config. */
function provenanceConfig(doc: Json): void {
  eachRecord(doc, (r) => {
    if (!('provenance' in r)) r.provenance = 'config';
  });
}

/** The steps from version 1 to version 2, in order. */
const V1_TO_V2: readonly ((doc: Json) => void)[] = [lacsBaseConfigHash, provenanceConfig];

export const STORE_FORMAT: VersionedFormat = {
  kind: 'frontier store',
  current: STORE_VERSION,
  migrations: [
    {
      from: 1,
      what: 'lacs entries name their hash base_config_hash; every record states its provenance (config)',
      migrate: (doc) => {
        for (const step of V1_TO_V2) step(doc);
        return doc;
      },
    },
  ],
  hint: 'Upgrade frontier-gate, or point --frontier at a store of a version it reads',
};
