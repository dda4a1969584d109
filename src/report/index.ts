/**
 * Rendering, in one place: a command's Result in each format. Markdown is where Markdown is read (report
 * files, PR comments, job summaries); text is for the terminal (derived from the same document, so the two
 * never tell different stories); JSON is the typed result itself.
 */
import * as path from 'node:path';
import { formatBytes } from '../arch/format';
import { renderCoefficientComparison, renderLacsMarkdown } from './lacs';
import { renderCheckMarkdown, renderRecordMarkdown, renderSweepMarkdown } from './frontier';
import { formatGraphStatsTable, formatMeasureTable, formatStatsTable } from './tables';
import type { Result } from './result';
import type { MeasureResult } from '../measure/types';
import { renderProfileResult, renderSearch } from './search';
import { initText, lacsScreenText, lacsShardText, renderMergedSweepMarkdown, renderSweepShardMarkdown } from './shards';
import { markdownToText, type TextOptions } from './terminal';
import { escapeTerminal, fenceCode } from './escape';
import { renderZooMarkdown } from './zoo';


const fenced = (text: string) => fenceCode(text);

/** Plain-text results (tables of numbers) that read the same in a terminal and in a code block. */
function plainText(r: Result): string | undefined {
  switch (r.command) {
    case 'stats':
      return r.networks.map((s) => ('kind' in s ? formatGraphStatsTable(s, r.layers) : formatStatsTable(s, r.layers))).join('\n\n') + '\n';
    case 'measure':
      if (r.runs) return r.runs.map((m) => `== batch ${m.batch} ${m.precision}\n${formatMeasureTable(m)}`).join('\n\n') + '\n';
      return formatMeasureTable(r.measurement) + '\n';
    case 'build':
      return `wrote ${r.file}: ${r.name}, batch ${r.batch}, ${r.precision}, ${r.params.toLocaleString('en-US')} params, ${formatBytes(r.bytes)}\n`;
    case 'init':
      return initText(r);
    case 'lacs-shard':
      return lacsShardText(r);
    case 'lacs-screen':
      return lacsScreenText(r);
    case 'accept-drift':
      return acceptDriftText(r);
    case 'report':
      return `wrote ${r.files.length} page${r.files.length === 1 ? '' : 's'} (${r.records} model${r.records === 1 ? '' : 's'}, ${r.targets} target${r.targets === 1 ? '' : 's'}) to ${r.dir}: open ${path.join(r.dir, 'index.html')}\n`;
    default:
      return undefined;
  }
}

function acceptDriftText(r: Extract<Result, { command: 'accept-drift' }>): string {
  if (!r.rows.length) return `accept-drift: no record is measured on ${r.target}; nothing to accept\n`;
  const from = { 'change-point': 'where its ratio history last changed', latest: 'its latest measurement', given: '--since' };
  const lines = r.rows.map((x) => `  ${x.name}: since ${x.since.slice(0, 10)} (${from[x.from]})`);
  const head = r.dry_run ? `accept-drift (dry run, ${r.store} not written): would accept on ${r.target}` : `accepted as the new drift baseline on ${r.target} in ${r.store}`;
  return `${head}${r.note ? ` (${r.note})` : ''}:\n${lines.join('\n')}\nLater sweeps judge drift on measurements from those dates on; the history before them is kept.\n`;
}

export function renderMarkdown(r: Result): string {
  const plain = plainText(r);
  if (plain !== undefined) return fenced(plain);
  switch (r.command) {
    case 'check':
      return renderCheckMarkdown(r);
    case 'record':
      return renderRecordMarkdown(r);
    case 'sweep':
      return renderSweepMarkdown(r);
    case 'lacs': {
      let md = renderLacsMarkdown(r.lacs);
      if (r.comparison) md += `\n${renderCoefficientComparison(r.comparison)}\n`;
      if (r.family_files.length) md += `\nFamily written to ${r.family_files.map((f) => `\`${f.replace(/`/g, '')}\``).join(', ')}.\n`;
      return md;
    }
    case 'profile':
    case 'merge':
      return renderProfileResult(r);
    case 'search':
      return renderSearch(r);
    case 'sweep-shard':
      return renderSweepShardMarkdown(r);
    case 'merge-sweep':
      return renderMergedSweepMarkdown(r);
    case 'zoo':
      return renderZooMarkdown(r);
    default:
      throw new Error(`no Markdown renderer for ${(r as Result).command}`);
  }
}

/** The JSON form: the typed result, with bulky parts left out unless asked for. */
export function toJson(r: Result): unknown {
  switch (r.command) {
    case 'stats': {
      const shaped = r.networks.map((s) => (r.layers ? s : { ...s, layers: undefined }));
      return shaped.length === 1 ? shaped[0] : shaped;
    }
    case 'measure': {
      const shape = <T extends MeasureResult>(m: T): T => (r.raw ? m : { ...m, models: m.models.map(({ raw_ms: _raw, ...rest }) => rest) });
      return r.runs ? { runs: r.runs.map(shape) } : shape(r.measurement);
    }
    case 'lacs':
      return { ...r.lacs, family_files: r.family_files, coefficients_comparison: r.comparison ?? null };
    case 'profile':
    case 'merge':
      return r.profile;
    case 'sweep-shard':
      // The shard result itself: `sweep --shard i/n --json > shard.json` is a file merge reads.
      return r.shard;
    case 'lacs-shard':
      return r.shard;
    case 'lacs-screen':
      return r.screen;
    case 'merge-sweep': {
      const { command: _command, files: _files, ...rest } = r;
      return { command: 'merge', kind: 'sweep', ...rest };
    }
    case 'search':
      return r.runs.map(({ label, result, hypervolume }) => ({
        label, space: result.space, mode: result.mode, proxy: result.proxy, target: result.target, latency_target_ms: r.latency_target_ms,
        evaluations: result.evaluations, measured: result.measured, cache_hits: result.cache_hits, wall_s: result.wall_s,
        hypervolume, reference: r.reference,
        front: result.front.map((c) => ({ name: c.config.name, hash: c.hash, latency_ms: c.latency_ms, proxy: c.proxy })),
      }));
    default:
      return r;
  }
}

/**
 * The output formats, by name: `frontier-gate <command> --format NAME` offers exactly these. A new format is a
 * renderer file in src/report and one entry here.
 */
export const FORMATS = {
  // Text is for a terminal: nothing in it may move the cursor, retitle or clear the terminal (escapeTerminal;
  // markdownToText strips hidden characters before it adds its own colours).
  text: (r: Result, o: TextOptions) => {
    const plain = plainText(r);
    return plain !== undefined ? escapeTerminal(plain) : markdownToText(renderMarkdown(r), o);
  },
  markdown: (r: Result) => escapeTerminal(renderMarkdown(r)),
  // Hidden characters occur only inside JSON strings, where \uXXXX is their own escape: the same document.
  json: (r: Result) => escapeTerminal(JSON.stringify(toJson(r), null, 2) + '\n'),
} satisfies Record<string, (r: Result, o: TextOptions) => string>;

export type Format = keyof typeof FORMATS;

export function render(r: Result, format: Format, text: TextOptions = { color: false }): string {
  return FORMATS[format](r, text);
}

export { markdownToText, wantsColor } from './terminal';
export { exitCodeOf, type Result } from './result';
