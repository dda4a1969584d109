/**
 * One story per result: every verdict kind rendered from typed results (the shared fake result), and the
 * invariants a reader relies on checked on the Markdown itself, not on the renderer's code paths.
 */
import { readStoreFile } from '../src/frontier/store';
import { type CandidateResult, type CheckReport, type ModelRow } from '../src/frontier/check';
import { frontierStatuses, separationOf, type FrontierStatus } from '../src/frontier/position';
import { runRecord } from '../src/frontier/record';
import { runSweep } from '../src/frontier/sweep';
import { fitMarkdown } from '../src/github/comment';
import { renderMarkdown, toJson } from '../src/report';
import { chartText, checkChartInputs } from '../src/report/chart';
import { CANDIDATES, checkOf, StoryMeasurer, ZOO_HERE, ZOO_STORE, type Candidate } from './support/story-scenarios';
import { configModel } from '../src/frontier/models';

const HEADLINE: Record<string, RegExp> = {
  dominated: /^❌ dominated[: ]/,
  inconclusive: /^🟡 inconclusive[: ]/,
  'new-frontier': /^🟢 new frontier[: ]/,
  pass: /^✅ pass[: ]/,
  'latency-only': /^ℹ️ latency only[: (]/,
};
const STAR: Record<FrontierStatus, string> = { on: '★', off: '', undecided: '?', unrated: '–' };
const DIRECTION = /\b(slower|faster|ahead|behind)\b/;

interface Table {
  header: string[];
  rows: string[][];
  inDetails: boolean;
}

/** Every pipe table of a Markdown text, and whether it sits inside a <details> block. */
function tables(markdown: string): Table[] {
  const out: Table[] = [];
  let depth = 0;
  const lines = markdown.split('\n');
  const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());
  for (let i = 0; i < lines.length; i++) {
    depth += (lines[i].match(/<details[\s>]/g) ?? []).length - (lines[i].match(/<\/details>/g) ?? []).length;
    if (lines[i].startsWith('|') && lines[i + 1]?.startsWith('|---')) {
      const t: Table = { header: cells(lines[i]), rows: [], inDetails: depth > 0 };
      for (i += 2; i < lines.length && lines[i].startsWith('|'); i++) t.rows.push(cells(lines[i]));
      out.push(t);
    }
  }
  return out;
}

/**
 * The interval a reader sees as changes: "-1.2% .. +4.1%" as fractions, or a gap read as factors (the gap
 * rule, src/report/format.ts) "11.9x .. 12.8x" as r - 1 (`factor` set: three significant digits).
 */
function intervalIn(text: string): ([number, number] & { factor?: boolean }) | undefined {
  const m = /([+-]?\d+(?:\.\d+)?)% \.\. ([+-]?\d+(?:\.\d+)?)%/.exec(text);
  if (m) return [Number(m[1]) / 100, Number(m[2]) / 100];
  const f = /(\d+(?:\.\d+)?)x \.\. (\d+(?:\.\d+)?)x/.exec(text);
  return f ? Object.assign([Number(f[1]) - 1, Number(f[2]) - 1] as [number, number], { factor: true }) : undefined;
}

const close = (printed: number, exact: number, decimals = 1) => Math.abs(printed - exact) <= 0.5 * 10 ** -decimals / 100 + 1e-12;
/** A printed end against the exact change, in the unit it was printed in. */
const closeIn = (factor: boolean | undefined, printed: number, exact: number) => (factor ? Math.abs(printed - exact) <= 0.005 * (1 + exact) + 1e-12 : close(printed, exact));

/** candidate / model - 1 with its interval, recomputed from the ratio the measurer reported. */
function slowerInterval(r: ModelRow): [number, number] {
  return [1 / r.ratio_ci95![1] - 1, 1 / r.ratio_ci95![0] - 1];
}

/** Every number in a JSON value (and its percentage form), for "each number in a sentence is in the result". */
function numbersOf(value: unknown, into: number[] = []): number[] {
  if (typeof value === 'number') into.push(value, value * 100);
  else if (Array.isArray(value)) for (const v of value) numbersOf(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) numbersOf(v, into);
  return into;
}

/** The prose of each candidate's section (its sentence, notes and captions): every paragraph that is not a table, chart or tag. */
function sentences(report: CheckReport): { candidate: CandidateResult; text: string }[] {
  const sections = report.candidates.length === 1 ? [renderMarkdown(report)] : renderMarkdown(report).split(/^### .*$/m).slice(1);
  expect(sections).toHaveLength(report.candidates.length);
  return report.candidates.flatMap((c, k) => {
    const prose = sections[k]
      .split('\n\n')
      .map((p) => p.trim())
      .filter((p) => p && !/^(\||```|<\/?details|<sub>frontier-gate check)/.test(p))
      .map((p) => p.replace(/^<details><summary>.*<\/summary>$/, '').replace(/<\/?sub>/g, ''));
    expect(prose[0]).toMatch(HEADLINE[c.latency_only ? 'latency-only' : c.verdict]);
    expect(prose[0]).toContain(`**${c.name}**`);
    return prose.map((text) => ({ candidate: c, text }));
  });
}

function checkInvariants(report: CheckReport): void {
  const md = renderMarkdown(report);
  const t = report.settings.latency_tolerance;
  // The headline matches the verdict.
  const first = md.split('\n')[0];
  const only = report.candidates.length === 1 ? report.candidates[0] : undefined;
  const allLatencyOnly = report.candidates.every((c) => c.latency_only);
  expect(first).toMatch(HEADLINE[allLatencyOnly ? 'latency-only' : report.verdict]);
  if (!only) {
    expect(first).toContain(`${report.candidates.length} candidates`);
    for (const c of report.candidates) expect(first).toContain(allLatencyOnly ? `**${c.name}**` : `**${c.name}** ${c.latency_only ? 'latency only' : c.verdict.replace('-', ' ')}`);
  }
  expect(md).not.toMatch(/\b(ahead|behind)\b/);

  // Tables: at most 6 columns; the compact table's cells agree with the typed rows.
  const all = tables(md);
  for (const table of all) expect(table.header.length).toBeLessThanOrEqual(6);
  const compact = all.filter((x) => !x.inDetails && x.header.includes('frontier'));
  expect(compact).toHaveLength(report.candidates.length);
  report.candidates.forEach((c, k) => {
    const table = compact[k];
    const col = (name: string) => table.header.findIndex((h) => h.startsWith(name));
    expect(table.rows).toHaveLength(c.models.length);
    c.models.forEach((r, i) => {
      const cells = table.rows[i];
      expect(cells[col('model')].replace(/\*\*/g, '')).toBe(r.name);
      // The star column agrees with the typed frontier flags, and the candidate's with its verdict.
      expect(cells[col('frontier')]).toBe(STAR[r.frontier]);
      expect(r.on_frontier).toBe(r.frontier === 'on');
      if (r.role === 'candidate') {
        const own = c.latency_only ? 'unrated' : { dominated: 'off', inconclusive: 'undecided', pass: 'on', 'new-frontier': 'on' }[c.verdict];
        expect(r.frontier).toBe(own);
        return;
      }
      const cell = cells[col('candidate vs')];
      const printed = intervalIn(cell)!;
      const exact = slowerInterval(r);
      expect(closeIn(printed.factor, printed[0], exact[0]) && closeIn(printed.factor, printed[1], exact[1])).toBe(true);
      // A direction only when the whole interval is beyond the tolerance; never one that straddles it.
      const word = cell.split(':')[0];
      if (word === 'slower') expect(exact[0]).toBeGreaterThan(t);
      else if (word === 'faster') expect(exact[1]).toBeLessThan(-t);
      else if (word.startsWith('within')) expect(exact[0] >= -t - 1e-12 && exact[1] <= t + 1e-12).toBe(true);
      else {
        expect(word).toMatch(/^straddles/);
        expect(exact[0] < -t || exact[1] > t).toBe(true);
        expect(exact[0] > t || exact[1] < -t).toBe(false);
      }
    });
  });

  // The sentences: every claim about a model is backed by its interval and agrees with the verdict.
  const numbers = numbersOf(toJson(report));
  for (const { candidate: c, text } of sentences(report)) {
    const rows = new Map(c.models.map((r) => [r.name, r]));
    const segments = text.split(/(?=\*\*[^*]+\*\*)/);
    for (const seg of segments) {
      const name = /^\*\*([^*]+)\*\*/.exec(seg)?.[1];
      const r = name ? rows.get(name) : undefined;
      if (!r || r.role === 'candidate') continue;
      const exact = slowerInterval(r);
      const stated = intervalIn(seg);
      if (stated) {
        // A stated interval is the model's, signed or as a magnitude.
        const signed = closeIn(stated.factor, stated[0], exact[0]) && closeIn(stated.factor, stated[1], exact[1]);
        const magnitude = close(stated[0], Math.min(Math.abs(exact[0]), Math.abs(exact[1]))) && close(stated[1], Math.max(Math.abs(exact[0]), Math.abs(exact[1])));
        expect(signed || magnitude).toBe(true);
      }
      const word = DIRECTION.exec(seg)?.[1];
      if (word === 'slower') expect(exact[0]).toBeGreaterThan(0);
      if (word === 'faster') expect(exact[1]).toBeLessThan(0);
      if (/beyond the [\d.]+% (latency )?tolerance/.test(seg) && !/not proven beyond/.test(seg)) expect(['slower', 'faster']).toContain(r.separation);
      if (/within the [\d.]+% tolerance|within tolerance of/.test(seg)) expect(r.separation).toBe('within');
      // An inconclusive report gives the undecided models no direction.
      if (c.verdict === 'inconclusive' && c.undecided.includes(r.name)) expect(seg).not.toMatch(DIRECTION);
      // Nothing says the candidate is slower than a model that could dominate it unless it is dominated.
      if (c.verdict !== 'dominated' && r.as_accurate) expect(word).not.toBe('slower');
    }
    if (/is faster than every measured model/.test(text)) {
      expect(c.verdict).toBe('new-frontier');
      for (const r of c.models.filter((m) => m.as_accurate)) expect(slowerInterval(r)[1]).toBeLessThan(0);
    }
    if (/no measured model at least as accurate .* is proven faster by more than/.test(text)) {
      for (const r of c.models.filter((m) => m.as_accurate)) expect(r.separation).not.toBe('slower');
    }
    if (c.verdict === 'dominated' && HEADLINE.dominated.test(text)) {
      const d = c.dominated_by!;
      expect(text).toContain(`dominated by **${d.name}**`);
      expect(rows.get(d.name)!.separation).toBe('slower');
    }
    // Every number in the prose is in the result (names, paths, the target label, "top-1", "95% CI" aside).
    const bare = text
      .split(report.target.label).join('')
      .replace(/\*\*[^*]+\*\*|`[^`]*`/g, '')
      .replace(/top-1|95% (CI|interval)|− 1\b/g, '');
    for (const token of bare.match(/[+-]?\d+(?:\.\d+)?[%x]?/g) ?? []) {
      if (token.endsWith('x')) {
        // A gap read as a factor (three significant digits) is 1 + a change in the result; other factors are in it.
        const factor = Number(token.slice(0, -1));
        if (!numbers.some((n) => Math.abs(1 + n - factor) <= 0.005 * factor + 1e-9 || Math.abs(n - factor) <= 0.005 * factor + 1e-9)) throw new Error(`the factor ${token} in "${text}" is not in the result`);
        continue;
      }
      const percent = token.endsWith('%');
      const value = Math.abs(Number(token.replace('%', '')));
      const decimals = token.replace('%', '').split('.')[1]?.length ?? 0;
      const found = numbers.some((n) => Math.abs(Math.abs(n) - value) <= 0.5 * 10 ** -decimals + 1e-9 && (percent || Math.abs(n) < 1e6));
      if (!found) throw new Error(`the number ${token} in "${text}" is not in the result`);
    }
  }
}

const KINDS: [string, () => Candidate[], string, object][] = [
  ['dominated', () => [CANDIDATES.dominated()], 'dominated', {}],
  ['new frontier by latency', () => [CANDIDATES.newFrontier()], 'new-frontier', {}],
  // A lead inside the latency tolerance is noise-sized: the candidate is on the frontier, not beyond it.
  ['a lead within the tolerance is a pass', () => [CANDIDATES.newFrontierWithin()], 'pass', {}],
  ['new frontier by accuracy', () => [CANDIDATES.mostAccurate()], 'new-frontier', {}],
  ['pass', () => [CANDIDATES.pass()], 'pass', {}],
  ['inconclusive', () => [CANDIDATES.inconclusive()], 'inconclusive', {}],
  ['several candidates', () => [CANDIDATES.dominated(), CANDIDATES.newFrontier(), CANDIDATES.inconclusive()], 'dominated', {}],
  ['--latency-only', () => [CANDIDATES.pass()], 'pass', { latencyOnly: true }],
  ['several with --latency-only', () => [CANDIDATES.pass(), CANDIDATES.dominated()], 'pass', { latencyOnly: true }],
];

describe('check report: one story per result', () => {
  it.each(KINDS)('%s', async (_label, cands, verdict, options) => {
    const report = await checkOf(cands(), options);
    expect(report.verdict).toBe(verdict);
    checkInvariants(report);
  });

  it('a pass on the frontier has its star and no "slower" for a model as accurate', async () => {
    const report = await checkOf([CANDIDATES.pass()]);
    const c = report.candidates[0];
    expect(c.frontier).toBe('on');
    expect(renderMarkdown(report)).toMatch(/\| \*\*mobilenet-v2-retrained\*\* \| config \| 71\.85 \| [\d.]+ \| candidate \| ★ \|/);
    expect(renderMarkdown(report).split('\n\n')[0]).toContain('within tolerance of **mobilenet-v2** (');
  });

  it('an inconclusive report says no direction for what it could not decide', async () => {
    const report = await checkOf([CANDIDATES.inconclusive()]);
    const sentence = renderMarkdown(report).split('\n\n')[0];
    expect(sentence).not.toMatch(DIRECTION);
    expect(sentence).toMatch(/-\d+\.\d% \.\. \+\d+\.\d% \(95% CI\), which straddles the \+3% tolerance line/);
    expect(report.candidates[0].models[0].frontier).toBe('undecided');
  });

  it('the comment fitted to a small limit keeps the verdict and closes the <details> block it cut', async () => {
    const report = await checkOf([CANDIDATES.dominated(), CANDIDATES.newFrontier(), CANDIDATES.inconclusive()]);
    const [head, ...rest] = renderMarkdown(report).split('\n\n');
    const cutAt = renderMarkdown(report).indexOf('<summary>') + 400;
    const body = fitMarkdown(head, rest.join('\n\n'), cutAt, 'See the job summary.');
    expect(body.length).toBeLessThanOrEqual(cutAt);
    expect(body.startsWith(head)).toBe(true);
    expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
    expect(body.trimEnd().endsWith('See the job summary.')).toBe(true);
  });
});

describe('record and sweep reports', () => {
  const store = readStoreFile(ZOO_STORE);
  const configs = store.records.slice(0, 4).map((r) => ({ model: configModel({ ...r.config!, name: r.name }) }));

  async function recorded() {
    return runRecord(store, configs, { budgetSeconds: 5, storeFile: 'zoo.json' }, { measurer: new StoryMeasurer(ZOO_HERE), now: () => new Date('2026-11-01T00:00:00Z') });
  }

  it('record: counts in the sentence match the rows; tables fit', async () => {
    const { report } = await recorded();
    expect(renderMarkdown(report).split('\n')[0]).toMatch(/^Recorded 4 models on .* into zoo\.json: 4 measured for the first time on this target\.$/);
    for (const table of tables(renderMarkdown(report))) expect(table.header.length).toBeLessThanOrEqual(6);
  });

  it.each([false, true])('sweep (dry run %s): drift stated with its interval, the word agrees with it', async (dryRun) => {
    let { store: after } = await recorded();
    // Nine quiet nights of ratio history, then two models move for two nights: the second night confirms.
    const night = (i: number) => () => new Date(Date.UTC(2026, 10, 2 + i));
    let anchor = '';
    for (let i = 0; i < 9; i++) {
      const r = await runSweep(after, { budgetSeconds: 5, latencyTolerance: 0.03 }, { measurer: new StoryMeasurer(ZOO_HERE), now: night(i) });
      after = r.store;
      anchor = r.report.anchor!;
    }
    const [up, down] = store.records.slice(0, 4).map((r) => r.name).filter((n) => n !== anchor);
    const here = { ...ZOO_HERE, [up]: ZOO_HERE[up] * 1.2, [down]: ZOO_HERE[down] * 0.9 };
    after = (await runSweep(after, { budgetSeconds: 5, latencyTolerance: 0.03 }, { measurer: new StoryMeasurer(here), now: night(9) })).store;
    const { report } = await runSweep(after, { budgetSeconds: 5, latencyTolerance: 0.03, storeFile: 'zoo.json', dryRun }, { measurer: new StoryMeasurer(here), now: night(10) });
    const head = renderMarkdown(report).split('\n\n')[0];
    expect(report.dry_run).toBe(dryRun);
    expect(/Dry run: zoo\.json was not updated\./.test(head)).toBe(dryRun);
    expect(renderMarkdown(report).includes('updated with these measurements')).toBe(!dryRun);
    for (const table of tables(renderMarkdown(report))) expect(table.header.length).toBeLessThanOrEqual(6);
    const moved = report.rows.filter((r) => r.status === 'slower' || r.status === 'faster');
    expect(moved.map((r) => r.name).sort()).toEqual([up, down].sort());
    for (const r of moved) {
      const m = new RegExp(`\\*\\*${r.name}\\*\\* (slower|faster) since \\d{4}-\\d\\d-\\d\\d: ([+-]\\d+\\.\\d)% \\(([^)]*)\\)`).exec(head)!;
      expect(m[1]).toBe(r.status);
      const [lo, hi] = intervalIn(m[3])!;
      expect(close(lo, r.drift_ci95![0]) && close(hi, r.drift_ci95![1])).toBe(true);
      // The word's side of zero holds for the whole interval.
      if (r.status === 'slower') expect(r.drift_ci95![0]).toBeGreaterThan(0);
      else expect(r.drift_ci95![1]).toBeLessThan(0);
    }
    const table = tables(renderMarkdown(report))[0];
    for (const r of report.rows) {
      const cells = table.rows.find((x) => x[0] === r.name)!;
      expect(cells[1]).toBe(r.status);
      if (r.drift !== null) expect(cells[4]).toMatch(/^[+-]\d+\.\d% \([+-]\d+\.\d% \.\. [+-]\d+\.\d%\)$/);
    }
  });
});

describe('the position rule behind the stars and cells', () => {
  it('separationOf: a direction only with the whole interval beyond the tolerance', () => {
    // ratio = model / candidate; the candidate is slower by 1 / ratio - 1.
    expect(separationOf([0.5, 0.9], 0.03)).toBe('slower');
    expect(separationOf([1.05, 1.2], 0.03)).toBe('faster');
    expect(separationOf([0.98, 1.02], 0.03)).toBe('within');
    expect(separationOf([0.95, 1.0], 0.03)).toBe('straddles');
    expect(separationOf([1.0, 1.04], 0.03)).toBe('straddles');
    expect(separationOf([0.9, 1.1], 0.03)).toBe('straddles');
  });

  it('frontierStatus: off only when a model as accurate is faster beyond the tolerance with its whole interval', () => {
    const row = (name: string, accuracy: number | null, ratio?: [number, number]): ModelRow => ({
      name, provenance: 'config', role: ratio ? 'neighbour' : 'candidate', accuracy, latency_ms: 1, ci95_ms: [1, 1], frontier: 'unrated', on_frontier: false,
      params: 0, macs: 0, intensity: 0, samples: 1, ...(ratio ? { ratio: (ratio[0] + ratio[1]) / 2, ratio_ci95: ratio } : {}),
    });
    const tol = { latency: 0.03, accuracy: 0.1 };
    // As the check calls it: each row's ratio to the candidate, the candidate's own exactly 1.
    const frontierStatus = (rows: ModelRow[], t: typeof tol) => frontierStatuses(rows.map((r) => ({ accuracy: r.accuracy, latency: r.ratio_ci95 ?? ([1, 1] as const) })), t);
    // b is more accurate than the candidate and 20% faster: the candidate is off, b is on; c is less accurate and slower than both: off.
    expect(frontierStatus([row('cand', 70), row('b', 71, [0.78, 0.82]), row('c', 69, [1.5, 1.6])], tol)).toEqual(['off', 'on', 'off']);
    // A less accurate model stays on however slow the others are.
    expect(frontierStatus([row('cand', 70), row('c', 69, [0.5, 0.6])], tol)).toEqual(['on', 'on']);
    // d is a twin of the candidate within noise: both stay on.
    expect(frontierStatus([row('cand', 70), row('d', 70, [0.99, 1.01])], tol)).toEqual(['on', 'on']);
    // e's interval straddles the line: undecided for the candidate, not for e (more accurate).
    expect(frontierStatus([row('cand', 70), row('e', 70.5, [0.9, 1.0])], tol)).toEqual(['undecided', 'on']);
    // Between stored models the bound is wider: f vs g is 0.8 .. 1.0 here although both ratios are narrow.
    expect(frontierStatus([row('cand', 60), row('f', 75, [1.6, 2.0]), row('g', 75, [2.0, 2.0])], tol)).toEqual(['on', 'on', 'undecided']);
    // Without an accuracy there is no place on the frontier.
    expect(frontierStatus([row('cand', null), row('h', 70, [1, 1.01])], tol)).toEqual(['unrated', 'on']);
  });
});

describe('the chart in words agrees with the verdict', () => {
  it.each([
    ['pass', CANDIDATES.pass, 'on the frontier'],
    ['dominated', CANDIDATES.dominated, 'off the frontier'],
    ['inconclusive', CANDIDATES.inconclusive, 'on or off the frontier not decided'],
  ] as const)('%s', async (_kind, cand, words) => {
    const report = await checkOf([cand()]);
    const text = chartText(checkChartInputs(report)[0]);
    expect(text).toMatch(new RegExp(`^Top-1 against latency on .*?: candidate \\S+ .*?, ${words}\\.( |$)`));
    // A model not decided by its interval is not called off the frontier.
    if (_kind === 'inconclusive') expect(text).toContain('1 other model not decided');
  });
});
