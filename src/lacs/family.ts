import * as path from 'node:path';
import { compoundFactors, formatCoefficients } from './grid';
import type { FamilyMember, LacsResult } from './run';
import type { StoredCoefficients } from './compare';
import { configToYaml } from './yaml';

/**
 * A family member as config format v1 YAML, loadable as any config. The header comment records the
 * coefficients, the target, the measured latency and the accuracy kind; a predicted accuracy stays in the
 * comment and never goes into `accuracy:`, so it cannot later be read back as a trained record.
 */
export function familyYaml(result: LacsResult, member: FamilyMember): string {
  if (!result.chosen) throw new Error('lacs: no family without chosen coefficients');
  const factors = compoundFactors(result.chosen, member.phi);
  const accuracy = member.accuracy === null
    ? 'top-1 unknown'
    : `top-1 ${member.accuracy.toFixed(2)} (${member.accuracy_kind}${member.accuracy_kind === 'predicted' ? ', not trained' : ''}` +
      `${member.extrapolated ? ', extrapolated' : ''}); ${member.position} the frontier`;
  const header = [
    `LACS family member phi=${member.phi} of ${result.base.name}: depth x${factors.depth}, width x${factors.width}, resolution x${factors.resolution}`,
    `coefficients (alpha, beta, gamma) = ${formatCoefficients(result.chosen)} on ${result.target?.label ?? 'this target'}` +
      (result.chosen.accuracy_kind === 'predicted' ? ' (chosen on a predicted accuracy)' : ''),
    `measured ${member.latency_ms.toFixed(2)} ms; ${accuracy}`,
    `network hash ${member.network_hash}`,
  ];
  return configToYaml(member.config, header);
}

/** Each family member as <name>.yaml in dir: the files (path and text) for the command to write. */
export function familyFiles(dir: string, result: LacsResult): { file: string; text: string }[] {
  return result.family.map((member) => ({ file: path.join(dir, `${member.name}.yaml`), text: familyYaml(result, member) }));
}

/** What to store with a base so the next run can report how the coefficients moved; null when nothing was chosen. */
export function storedCoefficients(result: LacsResult, date?: string): StoredCoefficients | null {
  if (!result.chosen || !result.target) return null;
  const { alpha, beta, gamma, objective } = result.chosen;
  return { alpha, beta, gamma, objective, base_network_hash: result.base.network_hash, target_key: result.target.key, w: result.w, date };
}
