/** `zoo`: the catalogue of published models as Markdown (the terminal text derives from it). */
import { RESULT_SOURCES } from '../arch/catalogue';
import { formatCount } from '../arch/format';
import { top1Text } from './format';
import { escapeCode, escapeMarkdown as escapeCell } from './escape';
import type { ZooEntry, ZooResult } from './result';

const best = (e: ZooEntry) => e.results.reduce((a, r) => (r.top1 > a.top1 ? r : a));
const gmacs = (macs: number) => (macs / 1e9).toFixed(3);

function list(r: ZooResult): string {
  const lines = [
    `## Published models (${r.entries.length})`,
    '',
    'Counts at each config\'s resolution; top-1 is the best published result (`zoo NAME` lists them all).',
    '',
    '| model | family | timm names | res | params | GMACs | best top-1 | weights |',
    '|---|---|---|---:|---:|---:|---:|---|',
  ];
  for (const e of r.entries) {
    const b = best(e);
    lines.push(`| ${escapeCell(e.name)} | ${escapeCell(e.family)} | ${escapeCell(e.aliases.join(', ') || '-')} | ${e.resolution} | ${formatCount(e.params)} | ${gmacs(e.macs)} | ${top1Text(b.top1)} @${b.resolution} | ${escapeCell(`${b.source} ${b.weights}`)} |`);
  }
  lines.push('', 'Write one as a config: `frontier-gate zoo NAME -o NAME.yaml [--weights TAG]`.');
  return lines.join('\n') + '\n';
}

function detail(r: ZooResult): string {
  const e = r.entries[0];
  const lines = [
    `## ${escapeCell(e.name)} (${escapeCell(e.family)})`,
    '',
    `${e.aliases.length ? `timm names: ${escapeCell(e.aliases.join(', '))}. ` : ''}${e.params.toLocaleString('en-US')} params, ${e.macs.toLocaleString('en-US')} multiply-adds at ${e.resolution} px.`,
    '',
    '| weights | source | res | crop | interpolation | top-1 (as published) |',
    '|---|---|---:|---:|---|---:|',
  ];
  for (const res of e.results) {
    lines.push(`| ${escapeCell(res.weights)} | ${res.source} | ${res.resolution} | ${res.crop_pct.toFixed(3)} | ${res.interpolation} | ${res.top1.toFixed(3)} |`);
  }
  const sources = [...new Set(e.results.map((x) => x.source))].map((s) => `${s}: ${RESULT_SOURCES[s]}`);
  lines.push('', `Sources: ${sources.join('; ')}.`);
  if (r.written) {
    const w = r.written.result;
    lines.push('', `Wrote \`${escapeCode(r.written.file)}\`: ${escapeCell(r.written.name)} at ${w.resolution} px, top-1 ${w.top1} (${w.source} ${escapeCell(w.weights)}).`);
  } else {
    lines.push('', `Write its config: \`frontier-gate zoo ${e.name} -o ${e.name}.yaml [--weights TAG]\`.`);
  }
  return lines.join('\n') + '\n';
}

export function renderZooMarkdown(r: ZooResult): string {
  return r.detail ? detail(r) : list(r);
}
