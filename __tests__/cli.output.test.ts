/**
 * What a person sees from the CLI: plain text on a terminal or in a pipe (no Markdown escapes, no
 * invisible characters, aligned tables, colour only on a TTY without NO_COLOR), --help with every flag,
 * its meaning and default, progress on stderr unless --quiet.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandHelp, main } from '../src/cli';
import { COMMANDS } from '../src/commands';
import { streamProgress, withMeasureProgress } from '../src/commands/progress';
import { markdownToText, wantsColor } from '../src/report/terminal';
import { FakeMeasurer } from './frontier.support/fake-measurer';
import { runCommand } from './support/run-command';

const ROOT = path.join(__dirname, '..');

describe('terminal text from Markdown', () => {
  const md = [
    '❌ dominated: **mobilenet\\-v2\\-deeper** \\(top\\-1 71\\.0\\) is dominated by **a\\_b** @\u200borg',
    '',
    '| model | role | latency ms |',
    '|---|---|---:|',
    '| **x** | candidate | 1.5 |',
    '| longer\\|name | contender | 12.25 |',
    '',
    '<details><summary>More columns</summary>',
    '',
    '```mermaid',
    'quadrantChart',
    '```',
    '</details>',
    '<sub>Store \\.frontier/frontier.json updated. Debian GNU/Linux 12 \\(bookworm\\)</sub>',
  ].join('\n');

  test('drops Markdown syntax, escapes, HTML and zero-width characters', () => {
    const text = markdownToText(md);
    expect(text).toContain('❌ dominated: mobilenet-v2-deeper (top-1 71.0) is dominated by a_b @org');
    expect(text).toContain('Store .frontier/frontier.json updated. Debian GNU/Linux 12 (bookworm)');
    expect(text).toContain('More columns');
    expect(text).not.toMatch(/\*\*|\\|<\/?\w+>|\u200b|```|quadrantChart/);
  });

  test('aligns tables, numbers to the right', () => {
    const lines = markdownToText(md).split('\n');
    const head = lines.findIndex((l) => l.startsWith('model'));
    expect(lines.slice(head, head + 4)).toEqual([
      'model        role       latency ms',
      '-----------  ---------  ----------',
      'x            candidate         1.5',
      'longer|name  contender       12.25',
    ]);
  });

  test('colour only when asked for, and NO_COLOR wins', () => {
    expect(markdownToText(md, { color: false })).not.toContain('\x1b[');
    expect(markdownToText(md, { color: true })).toContain('\x1b[1mmobilenet-v2-deeper\x1b[0m');
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
  });
});

describe('--help', () => {
  test.each(COMMANDS.map((c) => [c.name, c]))('%s --help lists every flag with its meaning and default', (_name, cmd) => {
    const help = commandHelp(cmd);
    for (const [flag, def] of Object.entries(cmd.flags)) {
      const line = help.split('\n').find((l) => new RegExp(`^ +(-\\w, )?--${flag}( |$)`).test(l));
      expect(line).toBeDefined();
      expect(help).toContain(def.help);
      if (def.default !== undefined) expect(help).toContain(`(default ${def.default})`);
    }
    expect(help).toContain('--quiet');
  });

  test.each(COMMANDS.map((c) => [c.name, c]))('%s --help ends with the exit codes that command can end with', (name, cmd) => {
    const last = commandHelp(cmd).trimEnd().split('\n').pop()!;
    expect(last).toMatch(/^exit codes: 0 /);
    // Only check is a gate; only measuring commands (those with --ep) meet a provider that cannot load.
    expect(/gate failed/.test(last)).toBe(name === 'check');
    expect(/\b3 environment/.test(last)).toBe('ep' in cmd.flags);
    expect(last).not.toMatch(/GitHub/);
  });

  test('through main, exit 0 on stdout', async () => {
    const r = await runCommand('sweep', ['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--dry-run +measure and report, but do not write the store/);
  });

  test('an unknown command suggests the closest one', async () => {
    let err = '';
    const code = await main(['chek'], { out: () => undefined, err: (t) => void (err += t) });
    expect(code).toBe(2);
    expect(err).toContain("did you mean 'check'?");
  });
});

describe('progress on stderr', () => {
  test('plain lines when not a TTY: a start, throttled updates, an end', () => {
    let t = 0;
    const written: string[] = [];
    const p = streamProgress({ write: (s) => void written.push(s), isTTY: false }, () => t, 10_000);
    const task = p.start('sweep', 4, 'models');
    t = 5_000;
    task.update(1);
    t = 12_000;
    task.update(2, 'resnet-18');
    t = 20_000;
    task.end('4 measured');
    expect(written).toEqual(['sweep: started (4 models)\n', 'sweep: 2/4 models · 12 s · ~12 s left · resnet-18\n', 'sweep: done in 20 s · 4 measured\n']);
  });

  it('a measurement against its budget shows one clock and the budget once', () => {
    let t = 0;
    const written: string[] = [];
    const task = streamProgress({ write: (s) => void written.push(s), isTTY: false }, () => t, 10_000).start('measuring 4 models side by side', 20, 's');
    t = 11_000;
    task.update(11);
    t = 23_000;
    task.update(23);
    expect(written).toEqual(['measuring 4 models side by side: started (20 s budget)\n', 'measuring 4 models side by side: 11 of 20 s budget\n', 'measuring 4 models side by side: 20 of 20 s budget\n']);
  });

  test('a redrawn bar on a TTY', () => {
    const written: string[] = [];
    const task = streamProgress({ write: (s) => void written.push(s), isTTY: true }, () => 0).start('profile', 10);
    task.update(5);
    task.end();
    // eslint-disable-next-line no-control-regex
    expect(written[0]).toMatch(/^\r\x1b\[2Kprofile \[#{12}-{12}\] 5\/10/);
    expect(written.at(-1)).toBe('profile: done in 0 s\n');
  });

  test('every measuring command reports its measurement calls; --quiet silences them', async () => {
    const fake = new FakeMeasurer({ latency: { 'mobilenet-v2': 20 } });
    const wrapped = withMeasureProgress(fake, streamProgress({ write: () => undefined }));
    const r = await wrapped.measure([{ kind: 'config', name: 'mobilenet-v2', config: {} as never }], { budgetSeconds: 2 });
    expect(r.models[0].name).toBe('mobilenet-v2');
    const store = path.join(ROOT, 'fixtures/frontier/frontier.json');
    const names = (JSON.parse(fs.readFileSync(store, 'utf8')) as { records: { name: string }[] }).records.map((r) => r.name);
    const deps = { measurer: () => new FakeMeasurer({ latency: Object.fromEntries(names.map((n, i) => [n, 10 + i])) }) };
    const loud = await runCommand('check', [path.join(ROOT, 'fixtures/archs/mobilenet-v2.yaml'), '--frontier', store, '--neighbors', '1'], deps);
    expect(loud.err).toMatch(/^measuring \d+ models side by side: started/m);
    expect(loud.err).toMatch(/^measuring \d+ models side by side: done in/m);
    const quiet = await runCommand('check', [path.join(ROOT, 'fixtures/archs/mobilenet-v2.yaml'), '--frontier', store, '--neighbors', '1', '--quiet'], deps);
    expect(quiet.err).toBe('');
    expect(quiet.out).toBe(loud.out);
  });
});
