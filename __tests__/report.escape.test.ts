/**
 * One escape per format (src/report/escape.ts), used by every renderer: untrusted stage names, space names,
 * shard labels and target labels are inert in Markdown (no HTML, links, images, mentions), in Mermaid, in
 * fenced text, in HTML and on the terminal (no ESC sequence, no bidi override).
 */
import * as path from 'node:path';
import { render, renderMarkdown } from '../src/report';
import { escapeHtml, escapeMermaid, escapeTerminal, fenceCode } from '../src/report/escape';
import type { LacsScreenCommandResult, ProfileCommandResult } from '../src/report/result';
import { analyzeProfile, runProfile } from '../src/search/profile';
import { parseSpace } from '../src/search/space';
import { SyntheticMeasurer } from '../src/search/synthetic';
import * as fs from 'node:fs';

const HOSTILE = '<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![t](https://t.example/p.png) @octo-org/admins \u001b]0;pwned\u0007\u001b[2J \u202Egnp.exe ```';
const GENET = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'spaces', 'genet.yaml'), 'utf8');

function expectInertMarkdown(md: string): void {
  expect(md).not.toMatch(/<img|<a |<script/i);
  expect(md).not.toMatch(/(?<!\\)\]\(javascript:/);
  expect(md).not.toMatch(/(?<!\\)!\\?\[t(?<!\\)\]\(/);
  expect(md).not.toMatch(/@octo-org/);
  // eslint-disable-next-line no-control-regex
  expect(md).not.toMatch(/[\u001b\u0007\u202e]/);
}

function expectInertTerminal(text: string): void {
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
}

describe('profile and merge reports', () => {
  test('stage names and the space name are escaped in Markdown, Mermaid and on the terminal', async () => {
    // A stage name is free text in a space file: make every stage's name hostile.
    const text = GENET.replace('- name: s1', `- name: ${JSON.stringify(HOSTILE)}`).replace(/\{name: s(\d)/g, (_m, n) => `{name: ${JSON.stringify(`${HOSTILE} ${n}`)}`);
    const space = parseSpace(text, 'hostile-space.yaml');
    expect(space.stages[0].name).toBe(HOSTILE);
    const profile = await runProfile(space, new SyntheticMeasurer(), { samples: 1, seed: 1, perCallSeconds: 1, now: () => 0 });
    const result: ProfileCommandResult = { command: 'profile', profile, space, analysis: analyzeProfile(space, profile), files: [], missing_units: 0 };
    const md = renderMarkdown(result);
    expectInertMarkdown(md);
    // The Mermaid chart's quoted strings cannot be closed or extended.
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(md)![1];
    for (const line of mermaid.split('\n').filter((l) => /title|x-axis/.test(l))) expect(line.match(/"/g)!.length % 2).toBe(0);
    expectInertTerminal(render(result, 'text'));
    expectInertTerminal(render(result, 'markdown'));
    expectInertTerminal(render(result, 'json'));
  });

  test('a merged profile without --space quotes the space name from the shard file escaped', () => {
    const result = { command: 'merge', profile: { space: { name: HOSTILE }, units: [], skipped: [], planned: [], units_total: 0 }, files: [], missing_units: 0 } as unknown as ProfileCommandResult;
    expectInertMarkdown(renderMarkdown(result));
    expectInertTerminal(render(result, 'text'));
  });

  test('LACS shard labels and file names in plain text are inert on the terminal and fenced in Markdown', () => {
    const result: LacsScreenCommandResult = {
      command: 'lacs-screen', file: `out/${HOSTILE}.json`, files: [],
      screen: { kind: 'frontier-gate/lacs-screen', version: 1, base: { name: HOSTILE, hash: 'x' }, shards: [1], count: 2, targets: [HOSTILE], entries: [] },
    } as unknown as LacsScreenCommandResult;
    expectInertTerminal(render(result, 'text'));
    const md = renderMarkdown(result);
    // One fenced block whose fence is longer than any backtick run inside: nothing escapes it.
    const fence = /^(`{3,})text\n/.exec(md)![1];
    expect(fence.length).toBeGreaterThan(3);
    expect(md.trimEnd().endsWith(fence)).toBe(true);
    expect(md.split(fence)).toHaveLength(3);
  });
});

describe('the escapes themselves', () => {
  test('terminal: controls and bidi overrides become visible \\uXXXX; newlines and tabs stay', () => {
    expect(escapeTerminal('a\u001b[2Jb\u202ec\u009bd\n\te\r')).toBe('a\\u001b[2Jb\\u202ec\\u009bd\n\te\\u000d');
  });

  test('HTML: markup and quotes escaped, hidden characters dropped', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>\u202e&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
  });

  test('Mermaid: no quote, bracket or markup survives', () => {
    expect(escapeMermaid('a" ] <b> {c} `d` #e; @f')).not.toMatch(/["\]<>{}`#;]|@f/);
  });

  test('fenced code: a run of backticks in the text gets a longer fence', () => {
    expect(fenceCode('x ```` y')).toBe('`````text\nx ```` y\n`````\n');
    expect(fenceCode('plain')).toBe('```text\nplain\n```\n');
  });
});
