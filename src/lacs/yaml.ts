/**
 * Writes an ArchConfig as config format v1 in the fixtures' layout (one flow mapping per stage), so a
 * family member reads like a hand-written config and diffs line by line per stage.
 */
import type { ArchConfig } from '../arch/types';

const PLAIN = /^[a-z0-9._-]+$/;
const scalar = (v: unknown): string => {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return PLAIN.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
};
const flow = (o: object): string =>
  `{${Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${scalar(v)}`)
    .join(', ')}}`;

export function configToYaml(config: ArchConfig, headerComments: string[] = []): string {
  const lines = headerComments.map((c) => `# ${c}`.trimEnd());
  const top = (k: string, v: unknown) => {
    if (v !== undefined) lines.push(`${k}: ${scalar(v)}`);
  };
  top('name', config.name);
  top('family', config.family);
  top('description', config.description);
  top('resolution', config.resolution);
  top('channels', config.channels);
  top('classes', config.classes);
  top('width', config.width);
  top('depth', config.depth);
  top('divisor', config.divisor);
  lines.push(`stem: ${flow(config.stem)}`);
  lines.push('stages:');
  for (const s of config.stages) lines.push(`  - ${flow(s)}`);
  lines.push(`head: ${flow(config.head)}`);
  top('dropout', config.dropout);
  if (config.accuracy) lines.push(`accuracy: ${flow(config.accuracy)}`);
  return lines.join('\n') + '\n';
}
