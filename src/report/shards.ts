/**
 * Sharded work (an Actions matrix): one sweep shard, the merged sweep, a LACS shard and the merged LACS
 * screen; and `init`'s summary. Data in, Markdown or plain text out; every untrusted string (model names,
 * target labels, paths) is escaped in Markdown.
 */
import { top1Text } from './format';
import { DEFAULT_CHART_BRANCH } from '../frontier/init-workflow';
import type {
  InitCommandResult, LacsScreenCommandResult, LacsShardCommandResult, MergedSweepResult, SweepShardCommandResult,
} from './result';
import { renderSweepMarkdown } from './frontier';
import { escapeMarkdown as md } from './escape';

const code = (s: string) => `\`${s.replace(/`/g, '')}\``;

/** One shard of a sharded sweep: what it measured, against which anchor, where it went. */
export function renderSweepShardMarkdown(r: SweepShardCommandResult): string {
  const s = r.shard;
  return (
    `Sweep shard ${s.shard.index}/${s.shard.count}: ${s.models.length} model(s) measured side by side with the anchor ` +
    `${s.anchors.map((a) => `**${md(a)}**`).join(', ')} on ${md(s.target.label)}${s.budget_exhausted ? ' (budget spent before the precision target)' : ''}` +
    `${r.file ? `, written to ${code(r.file)}` : ''}. The store is not written: \`merge\` joins the shards and updates it.\n`
  );
}

/** The merged sweep: the sweep's drift table, then what the merge adds (shards, runners, anchor, gaps). */
export function renderMergedSweepMarkdown(r: MergedSweepResult): string {
  const sweep = renderSweepMarkdown({
    command: 'sweep', target: r.target, rows: r.rows, common_drift: r.common_drift, latency_tolerance: r.latency_tolerance, store: r.store, dry_run: r.dry_run,
    anchor: r.anchor, runner_shift: r.runner_shift, together: r.together,
  });
  const notes = [
    `Merged shards ${r.shards.join(', ')} of ${r.count} from ${r.machines} runner fingerprint(s) through the anchor ${r.anchors.map((a) => `**${md(a)}**`).join(', ')}; ` +
      `latencies are ratios to it measured side by side, expressed on shard ${r.reference.shard}'s runner (anchor ${r.reference.anchor_ms.toFixed(3)} ms).`,
  ];
  if (r.missing.length) notes.push(`⚠️ Not measured (a shard is missing, or the record changed since the sweep): ${r.missing.map(md).join(', ')}.`);
  for (const c of r.anchor_checks) {
    if (c.spread > 0.05) notes.push(`⚠️ Anchor ${md(c.name)}'s ratio to ${md(r.anchors[0])} differs by ${(c.spread * 100).toFixed(1)}% across shards: the runners may not be one target type.`);
  }
  return `${sweep}\n${notes.join('\n\n')}\n`;
}

export function lacsShardText(r: LacsShardCommandResult): string {
  const s = r.shard;
  return `lacs shard ${s.shard.index}/${s.shard.count} of ${s.base.name}: ${s.entries.length} network(s) screened on ${s.target.label} -> ${r.file}\n`;
}

export function lacsScreenText(r: LacsScreenCommandResult): string {
  const s = r.screen;
  const missing = s.count - s.shards.length;
  return (
    `merged ${s.shards.length} of ${s.count} LACS shard(s) of ${s.base.name}: ${s.entries.length} screened network(s) from ${s.targets.length} runner(s) -> ${r.file}\n` +
    (missing ? `note: ${missing} shard(s) missing; lacs --screened measures their networks itself\n` : '')
  );
}

/** `init`: the records created, the configs without accuracy, and the workflow to add (or only the workflow). */
export function initText(r: InitCommandResult): string {
  if (r.workflow_only) return r.workflow;
  const width = Math.max(24, ...r.rows.map((x) => x.name.length));
  const published = r.rows.filter((x) => x.provenance === 'published').length;
  const from = published === r.rows.length ? 'the published catalogue' : `${r.configs}${published ? ` and ${published} published model(s) of the catalogue` : ''}`;
  const lines = [
    `Created ${r.store_path} with ${r.rows.length} record(s) from ${from}${r.measured ? ', measured on this machine' : ' (not measured yet: the first push or nightly sweep measures them on the runner, or run init --measure)'}:`,
    ...r.rows.map((x) => `  ${x.name.padEnd(width)} ${x.provenance.padEnd(9)} ${x.file}  top-1 ${x.accuracy === null ? '–' : top1Text(x.accuracy)}`),
  ];
  if (r.without_accuracy.length) {
    lines.push(`Without an accuracy (add accuracy: {top1: ...} to the config, or a metrics-file in the workflow): ${r.without_accuracy.join(', ')}`);
  }
  lines.push(
    '',
    `Commit ${r.store_path} and add this workflow as .github/workflows/frontier.yml (pin OWNER/frontier-gate to a release's full commit sha).`,
    `The first PR creates the branch ${DEFAULT_CHART_BRANCH} (an orphan branch holding only charts) for the chart in the PR comment.`,
    '',
    r.workflow,
  );
  return lines.join('\n');
}
