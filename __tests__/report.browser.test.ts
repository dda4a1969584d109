/**
 * The dashboard in a real browser: headless Chromium (Debian's `chromium`, or CHROMIUM_PATH) driven by
 * puppeteer-core. Offline: every request other than file: and data: is blocked and fails the test. Skips
 * with one line when no Chromium is installed (scripts/ci-chromium.sh installs it in CI).
 * BROWSER_SCREENSHOTS=DIR keeps a PNG of each page, for looking at.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { sampleStore } from '../src/bench/report';
import { buildDashboard, dashboardTargets } from '../src/report/dashboard';

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
