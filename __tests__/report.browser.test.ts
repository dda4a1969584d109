/**
 * The dashboard in a real browser: headless Chromium (Debian's `chromium`, or CHROMIUM_PATH) driven by
 * puppeteer-core. Offline: every request other than file: and data: is blocked and fails the test. Skips
 * with one line when no Chromium is installed (scripts/ci-chromium.sh installs it in CI).
 * BROWSER_SCREENSHOTS=DIR keeps a PNG of each page, for looking at; DOC_SCREENSHOT=1 rewrites
 * docs/pr-comment-example.png from the PR comment test.
 *
 * The PR comment: the action (against the loopback API, chart-branch set) posts a comment; its Markdown is
 * rendered to HTML by markdown-it with HTML allowed (as GitHub's renderer allows <details>, <sub>) in a
 * comment body 800 px wide with GitHub's image rule (max-width: 100%), the chart image served from the
 * commit the comment's URL names. The chart's smallest text must be at least 11 px as shown.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import MarkdownIt from 'markdown-it';
import type { Browser, Page } from 'puppeteer-core';
import { sampleStore } from '../src/bench/report';
import { serializeStore } from '../src/frontier/store';
import { buildDashboard, dashboardTargets } from '../src/report/dashboard';
import { archYaml, readEvent, referenceStore, scenario } from './action.harness';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);
const executable = CANDIDATES.find((p) => fs.existsSync(p));
if (!executable) process.stderr.write(`report.browser.test: skipped, no Chromium at ${CANDIDATES.join(', ')} (run scripts/ci-chromium.sh)\n`);
const maybe = executable ? describe : describe.skip;

maybe('dashboard in headless Chromium', () => {
  let dir: string;
  let profile: string;
  let browser: Browser;
  const store = sampleStore(40, { targets: 2, history: 6, seed: 5 });
  const targets = dashboardTargets(store);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-'));
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
    for (const [name, html] of await buildDashboard(store, { now: new Date('2026-11-01T00:00:00Z') })) fs.writeFileSync(path.join(dir, name), html);
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({
      executablePath: executable,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-file-access-from-files', `--user-data-dir=${profile}`],
    });
  });

  afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  });

  /** Opens a page offline: records console errors, page errors and every request that is not file: or data:. */
  async function open(file: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const problems: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = req.url();
      if (url.startsWith('file:') || url.startsWith('data:')) void req.continue();
      else {
        problems.push(`network request: ${url}`);
        void req.abort();
      }
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warn') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${String(err)}`));
    page.on('requestfailed', (req) => {
      if (req.url().startsWith('file:')) problems.push(`failed: ${req.url()}`);
    });
    await page.goto(pathToFileURL(path.join(dir, file)).href, { waitUntil: 'load' });
    return { page, problems };
  }

  async function shot(page: Page, name: string): Promise<void> {
    const out = process.env.BROWSER_SCREENSHOTS;
    if (!out) return;
    fs.mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, `${name}.png`) as `${string}.png`, fullPage: true });
  }

  it('each target page renders one point per model with a known top-1, no errors, no network', async () => {
    for (const t of targets) {
      const { page, problems } = await open(t.file);
      const expected = t.models.filter((m) => m.top1 !== null).length;
      const drawn = await page.$$eval('figure.frontier-chart g.points_marks path', (els) => els.filter((e) => (e as unknown as { getBBox(): { width: number } }).getBBox().width > 0).length);
      expect(drawn).toBe(expected);
      expect(await page.$eval('figure.frontier-chart', (f) => f.getAttribute('data-points'))).toBe(String(expected));
      expect(await page.$$eval('table.sortable tbody tr', (rows) => rows.length)).toBe(t.models.length);
      // The chart is laid out inside the page, at its size (not collapsed).
      const box = await page.$eval('figure.frontier-chart svg', (s) => { const r = s.getBoundingClientRect(); return { width: r.width, height: r.height }; });
      expect(box.width).toBeGreaterThan(600);
      expect(box.height).toBeGreaterThan(300);
      await shot(page, t.key);
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it('the table sorts by a header click, numerically, both ways', async () => {
    const { page, problems } = await open(targets[0].file);
    const column = async (i: number) => page.$$eval('table.sortable tbody tr', (rows, col) => rows.map((r) => r.children[col as number].getAttribute('data-v')), i);
    const button = async (label: string) => {
      const buttons = await page.$$('table.sortable th button');
      for (const b of buttons) if ((await b.evaluate((e) => e.textContent)) === label) return b;
      throw new Error(`no header ${label}`);
    };
    await (await button('top-1 %')).click();
    const up = (await column(2)).filter((v) => v !== '').map(Number);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect((await column(2)).slice(-1)[0]).toBe(''); // unknown accuracy last
    await (await button('top-1 %')).click();
    const down = (await column(2)).filter((v) => v !== '').map(Number);
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the index links to every target page, and the links work offline', async () => {
    const { page, problems } = await open('index.html');
    const hrefs = await page.$$eval('main table a', (as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.sort()).toEqual(targets.map((t) => t.file).sort());
    await shot(page, 'index');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(`main table a[href="${targets[1].file}"]`)]);
    expect(await page.$eval('nav a[aria-current]', (a) => a.getAttribute('href'))).toBe(targets[1].file);
    expect(problems).toEqual([]);
    await page.close();
  });
});

maybe('the PR comment in headless Chromium, at 800 px', () => {
  it('shows the chart committed for it with its smallest text at least 11 px', async () => {
    const pr = readEvent('pull_request.opened.json');
    const files = { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };
    const sc = await scenario({ event: 'pull_request', payload: pr, workspaceFiles: files, inputs: { 'chart-branch': 'frontier-assets' } });
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
    const puppeteer = await import('puppeteer-core');
    const browser = await puppeteer.launch({
      executablePath: executable, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
    });
    try {
      const store = serializeStore(await referenceStore());
      sc.gh.commitAs(pr.pull_request.base.sha, { '.frontier/frontier.json': store });
      sc.gh.commitAs(pr.pull_request.head.sha, { '.frontier/frontier.json': store, ...files });
      sc.gh.prFiles.set(2, [{ filename: 'models/wide-resnet.yaml', status: 'modified' }]);
      await sc.run();
      const body = sc.gh.comments[0].body;
      const html = new MarkdownIt({ html: true, linkify: false }).render(body);
      const page = await browser.newPage();
      await page.setViewport({ width: 866, height: 900 });
      const served: string[] = [];
      const problems: string[] = [];
      await page.setRequestInterception(true);
      page.on('request', (req) => {
        // https://github.com/<owner>/<repo>/raw/<commit>/<path>: the file of that commit on the fake GitHub.
        const m = /^https:\/\/github\.com\/[^/]+\/[^/]+\/raw\/([0-9a-f]{40})\/(.+)$/.exec(req.url());
        const text = m ? sc.gh.fileAt(m[1], decodeURIComponent(m[2])) : undefined;
        if (text !== undefined) {
          served.push(req.url());
          void req.respond({ status: 200, contentType: 'image/svg+xml', body: text });
        } else if (req.url().startsWith('data:') || req.url() === 'about:blank') void req.continue();
        else {
          problems.push(`network request: ${req.url()}`);
          void req.abort();
        }
      });
      await page.setContent(
        `<!doctype html><html><head><meta charset="utf-8"><style>
          body { margin: 0; background: #fff; }
          .markdown-body { box-sizing: content-box; width: 800px; margin: 16px; padding: 16px; border: 1px solid #d0d7de; border-radius: 6px;
            font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
          .markdown-body img { max-width: 100%; box-sizing: content-box; }
          .markdown-body table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
          .markdown-body td, .markdown-body th { border: 1px solid #d0d7de; padding: 6px 13px; }
          .markdown-body h2 { font-size: 1.5em; border-bottom: 1px solid #d8dee4; }
        </style></head><body><div class="markdown-body">${html}</div></body></html>`,
        { waitUntil: 'load' },
      );
      const img = await page.$eval('.markdown-body img', (e) => {
        const i = e as unknown as { complete: boolean; naturalWidth: number; src: string; getBoundingClientRect(): { width: number } };
        return { complete: i.complete, natural: i.naturalWidth, shown: i.getBoundingClientRect().width, src: i.src };
      });
      expect(served).toEqual([img.src]);
      expect(img.complete && img.natural).toBeGreaterThan(0);
      // The chart's own text sizes, measured in the SVG as Chromium lays it out, scaled as the comment shows it.
      const svg = sc.gh.fileAt(/\/raw\/([0-9a-f]{40})\//.exec(img.src)![1], decodeURIComponent(/\/raw\/[0-9a-f]{40}\/(.+)$/.exec(img.src)![1]))!;
      const svgPage = await browser.newPage();
      await svgPage.setContent(svg, { waitUntil: 'load' });
      const sizes = await svgPage.$$eval('text', (ts) => ts.filter((t) => (t.textContent ?? '').trim()).map((t) => parseFloat((globalThis as unknown as { getComputedStyle(x: unknown): { fontSize: string } }).getComputedStyle(t).fontSize)));
      await svgPage.close();
      expect(sizes.length).toBeGreaterThan(5);
      const shownPx = Math.min(...sizes) * (img.shown / img.natural);
      expect(img.shown).toBeLessThanOrEqual(800);
      expect(shownPx).toBeGreaterThanOrEqual(11);
      expect(problems).toEqual([]);
      if (process.env.DOC_SCREENSHOT) {
        const box = (await page.$('.markdown-body'))!;
        await box.screenshot({ path: path.join(__dirname, '..', 'docs', 'pr-comment-example.png') as `${string}.png` });
      }
      if (process.env.BROWSER_SCREENSHOTS) {
        fs.mkdirSync(process.env.BROWSER_SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(process.env.BROWSER_SCREENSHOTS, 'pr-comment.png') as `${string}.png`, fullPage: true });
      }
      await page.close();
    } finally {
      await browser.close();
      await sc.cleanup();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);
});
