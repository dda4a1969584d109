import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FamilyMember, LacsResult } from './run';
import type { StoredCoefficients } from './compare';
import { writeFileAtomic } from '../util/fs';

/** Writes each family member as <name>.yaml into dir (created if missing); returns the paths written. */
export function writeFamily(dir: string, family: FamilyMember[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return family.map((member) => {
    const file = path.join(dir, `${member.name}.yaml`);
    writeFileAtomic(file, member.yaml, { what: '--family-dir' });
    return file;
  });
}

/** What to store with a base so the next run can report how the coefficients moved. */
export function storedCoefficients(result: LacsResult, date?: string): StoredCoefficients {
  const { alpha, beta, gamma, objective } = result.chosen;
  return { alpha, beta, gamma, objective, base_hash: result.base.config_hash, target_key: result.target.key, w: result.w, date };
}

/** The JSON the CLI prints: the result minus the YAML text and Markdown (they are written separately). */
export function lacsJson(result: LacsResult): object {
  const { markdown: _markdown, family, ...rest } = result;
  void _markdown;
  return { ...rest, family: family.map(({ yaml: _yaml, ...f }) => (void _yaml, f)) };
}
