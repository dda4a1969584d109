/**
 * Faults: `kill -9` at random points of `record` and `sweep`, 8 concurrent writers, a full disk (a
 * file-size limit), a read-only folder, a corrupted store, symlinked and read-only stores. Each run is a
 * real child process (record/sweep commands with a fast fake measurer, __tests__/faults.child.js). The
 * invariants: nothing committed is lost, the store always parses, the next run proceeds at once (a lock
 * left by a killed process is taken over), no temp file outlives the next write.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readStoreFile, updateStoreFile } from '../src/frontier/store';
import { checkOutputPath, readRegularText, writeFileAtomic, withFileLock } from '../src/util/fs';
import { UserError } from '../src/errors';

const CHILD = path.join(__dirname, 'faults.child.js');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-faults-'));
});
afterEach(() => {
  spawnSync('chmod', ['-R', 'u+w', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  committed: string[];
  stderr: string;
  ready: Promise<void>;
  /** Resolves once the child has reported `n` finished commands ("committed" or "swept" lines). */
  progress(n: number): Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], opts: { shellPrefix?: string } = {}): Run {
  const child = opts.shellPrefix
    ? spawn('bash', ['-c', `${opts.shellPrefix}; exec "$0" "$@"`, process.execPath, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { child, committed: [], stderr: '', ready: undefined as never, progress: undefined as never, done: undefined as never };
  let buffered = '';
  let markReady: () => void;
  run.ready = new Promise((r) => (markReady = r));
  let finished = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  const settle = () => {
    for (const w of waiting.filter((x) => finished >= x.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  run.progress = (n) => new Promise<void>((resolve, reject) => {
    waiting.push({ n, resolve });
    settle();
    // A child that ends first never gets there: say so instead of waiting forever.
    child.once('close', (code, signal) => waiting.some((w) => w.resolve === resolve) && reject(new Error(`the child ended (code ${code}, signal ${signal}) after ${finished} of ${n} commands: ${run.stderr}`)));
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') markReady();
      const m = /^committed (.+)$/.exec(line);
      if (m) run.committed.push(m[1]);
      if (m || /^swept \d+$/.test(line)) {
        finished++;
        settle();
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk.toString('utf8')));
  run.done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return run;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tempFiles = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith('.tmp'));
const names = (store: string) => new Set(readStoreFile(store).records.map((r) => r.name));

/** Figures reported in the README's reliability section (printed by this suite). */
const figures: Record<string, number | string> = {};
afterAll(() => {
  console.log(`fault suite figures: ${JSON.stringify(figures)}`);
});

describe('kill -9 at random points of record and sweep', () => {
  /**
   * Where a kill lands is set by the child's progress, not by a clock: each round waits until the child has
   * finished 0, 1 or 2 commands (a record committed, a sweep written), then kills it a random few
   * milliseconds into the next one. On a loaded machine the rounds only take longer; every third round
   * still commits before its kill, so the invariants are checked against records that exist.
   */
  test('24 kills: nothing committed is lost, the store always parses, the next run does not wait on the dead lock', async () => {
    const store = path.join(dir, 'store', 'frontier.json');
    const configs = path.join(dir, 'configs');
    const committed: string[] = [];
    let kills = 0;
    let locksLeft = 0;
    let tempsLeft = 0;
    let maxRecoveryMs = 0;
    for (let round = 0; kills < 24; round++) {
      const sweep = round % 3 === 2 && committed.length > 0;
      const run = start(sweep ? ['sweep', store, '1000'] : ['record', store, `r${round}`, '1000', configs]);
      await run.ready;
      await run.progress(round % 3);
      await sleep(Math.random() * 40);
      run.child.kill('SIGKILL');
      const { signal } = await run.done;
      expect(run.stderr).toBe('');
      if (signal !== 'SIGKILL') continue;
      kills++;
      committed.push(...run.committed);
      if (fs.existsSync(`${store}.lock`)) locksLeft++;
      if (fs.existsSync(path.dirname(store))) tempsLeft += tempFiles(path.dirname(store)).length;
      if (!fs.existsSync(store)) {
        expect(committed).toHaveLength(0);
        continue;
      }
      // The store parses, and holds every record a finished command reported.
      const have = names(store);
      for (const name of committed) expect(have).toContain(name);
      // The next writer gets the lock at once: a lock of a dead process is taken over, not waited for.
      const t0 = Date.now();
      await updateStoreFile(store, (s) => s, { waitMs: 2000 });
      maxRecoveryMs = Math.max(maxRecoveryMs, Date.now() - t0);
      expect(tempFiles(path.dirname(store))).toEqual([]);
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(committed.length).toBeGreaterThan(0);
    const finalNames = names(store);
    for (const name of committed) expect(finalNames).toContain(name);
    Object.assign(figures, { kills, committed: committed.length, lost: committed.filter((n) => !finalNames.has(n)).length, locks_left_by_kills: locksLeft, temps_left_by_kills: tempsLeft, max_recovery_ms: maxRecoveryMs });
  }, 240_000);
});

describe('concurrent writers', () => {
  test('8 record processes at once lose nothing', async () => {
    const store = path.join(dir, 'frontier.json');
    const runs = Array.from({ length: 8 }, (_, w) => start(['record', store, `w${w}`, '6', path.join(dir, 'configs')]));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const [i, r] of results.entries()) expect({ i, ...r, stderr: runs[i].stderr }).toEqual({ i, code: 0, signal: null, stderr: '' });
    const have = names(store);
    const committed = runs.flatMap((r) => r.committed);
    expect(committed).toHaveLength(48);
    for (const name of committed) expect(have).toContain(name);
    expect(tempFiles(dir)).toEqual([]);
    expect(fs.existsSync(`${store}.lock`)).toBe(false);
    Object.assign(figures, { concurrent_writers: 8, concurrent_records: committed.length, concurrent_lost: committed.filter((n) => !have.has(n)).length });
  }, 120_000);
});

describe('full disk, read-only folder, corrupted store', () => {
  async function seed(store: string, prefix = 's', count = 12): Promise<void> {
    const run = start(['record', store, prefix, String(count), path.join(dir, 'configs')]);
    expect(await run.done).toEqual({ code: 0, signal: null });
  }

  test('a write over the file-size limit fails with exit 2, the previous store unchanged, no temp file left', async () => {
    const store = path.join(dir, 'frontier.json');
    await seed(store);
    const before = fs.readFileSync(store);
    const limitKb = Math.floor(before.length / 1024) + 1;
    const run = start(['record', store, 'full', '5', path.join(dir, 'configs')], { shellPrefix: `ulimit -f ${limitKb}` });
    const { code, signal } = await run.done;
    expect(signal).toBeNull();
    expect(code).toBe(2);
    expect(run.stderr).toMatch(/--frontier: cannot write ".*frontier\.json": over the file-size limit; the previous file is unchanged/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const after = readStoreFile(store);
    for (const name of run.committed) expect(after.records.map((r) => r.name)).toContain(name);
    if (run.committed.length === 0) expect(fs.readFileSync(store)).toEqual(before);
    expect(tempFiles(dir)).toEqual([]);
    expect(fs.existsSync(`${store}.lock`)).toBe(false);
  }, 60_000);

  test('a read-only folder fails at once with the real cause, before measuring', async () => {
    const folder = path.join(dir, 'ro');
    const store = path.join(folder, 'frontier.json');
    await seed(store, 's', 2);
    fs.chmodSync(folder, 0o555);
    const t0 = Date.now();
    const run = start(['record', store, 'ro', '1', path.join(dir, 'configs')]);
    const { code } = await run.done;
    expect(code).toBe(2);
    expect(run.stderr).toMatch(/--frontier: ".*frontier\.json": the folder ".*ro" is (read-only|not writable)/);
    expect(run.stderr).not.toMatch(/another frontier-gate|\n\s+at /);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(run.committed).toEqual([]);
  }, 60_000);

  test.each([
    ['truncated', (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ['garbage bytes', () => '\u0000\u0001garbage\u00ff'],
    ['an unknown version', (t: string) => t.replace(/"version": \d+/, '"version": 99')],
    ['a record missing its config', (t: string) => { const s = JSON.parse(t); delete s.records[0].config; return JSON.stringify(s); }],
  ])('a corrupted store (%s) is an error and is never rewritten', async (_name, corrupt) => {
    const store = path.join(dir, 'frontier.json');
    await seed(store, 's', 2);
    const bad = corrupt(fs.readFileSync(store, 'utf8'));
    fs.writeFileSync(store, bad);
    const run = start(['record', store, 'c', '1', path.join(dir, 'configs')]);
    expect((await run.done).code).toBe(2);
    expect(run.stderr).toMatch(/frontier\.json/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(store, 'utf8')).toBe(bad);
    expect(tempFiles(dir)).toEqual([]);
  }, 60_000);
});

describe('atomic write and lock (src/util/fs.ts)', () => {
  test('a symbolic link at a path the user named is written through: the link stays, its target gets the new text', () => {
    const target = path.join(dir, 'real.json');
    const link = path.join(dir, 'link.json');
    fs.writeFileSync(target, 'old');
    fs.symlinkSync('real.json', link);
    writeFileAtomic(link, 'new', { followLink: true });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(tempFiles(dir)).toEqual([]);
  });

  test('a symbolic link at a path frontier-gate chose itself is refused: neither the link nor its target changes', () => {
    const target = path.join(dir, 'victim.txt');
    const link = path.join(dir, 'profile.json');
    fs.writeFileSync(target, 'precious');
    fs.symlinkSync(target, link);
    expect(() => writeFileAtomic(link, 'new', { what: '--out' })).toThrow(/--out: ".*profile\.json" is a symbolic link; frontier-gate writes through a link only at a path you name yourself/);
    expect(() => checkOutputPath(link, '--out')).toThrow(/is a symbolic link/);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(tempFiles(dir)).toEqual([]);
  });

  test("the file's mode is kept; a read-only file is refused, not rewritten", () => {
    const file = path.join(dir, 'f.json');
    fs.writeFileSync(file, 'a');
    fs.chmodSync(file, 0o640);
    writeFileAtomic(file, 'b');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    fs.chmodSync(file, 0o444);
    expect(() => writeFileAtomic(file, 'c', { what: '--frontier' })).toThrow(/--frontier: ".*f\.json" is read-only \(mode 444\); not overwriting it/);
    expect(fs.readFileSync(file, 'utf8')).toBe('b');
    expect(fs.statSync(file).mode & 0o777).toBe(0o444);
  });

  test('temp files of dead processes are removed by the next write; a failed write leaves none', () => {
    const file = path.join(dir, 'f.json');
    fs.writeFileSync(path.join(dir, '.f.json.999999.abcdef.tmp'), '');
    writeFileAtomic(file, 'x');
    expect(tempFiles(dir)).toEqual([]);
    expect(() => writeFileAtomic(path.join(dir, 'missing-dir', 'sub', 'f.json').replace('missing-dir', 'f.json'), 'x')).toThrow(UserError);
    expect(tempFiles(dir)).toEqual([]);
  });

  test('a lock whose owner is dead is taken over at once; a live one is waited for and named', async () => {
    const file = path.join(dir, 'f.json');
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ host: os.hostname(), pid: 999_999, start: '1', since: 0 }));
    const t0 = Date.now();
    expect(await withFileLock(file, () => 'ran', { waitMs: 5_000 })).toBe('ran');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    // Held by a live process (this one, from an earlier call that has not released): waited for, then named.
    let release!: () => void;
    const held = withFileLock(file, () => new Promise<void>((r) => (release = r)));
    await sleep(50);
    await expect(withFileLock(file, () => 'x', { waitMs: 300, what: '--frontier' })).rejects.toThrow(new RegExp(`--frontier: ".*f\\.json" is locked by process ${process.pid}`));
    release();
    await held;
  });

  test('output and input paths are checked as what they are', () => {
    expect(() => checkOutputPath(dir, '-o')).toThrow(/-o: ".*" is a folder; expected a regular file/);
    expect(() => checkOutputPath('/dev/null', '-o')).toThrow(/is a character device/);
    expect(() => readRegularText('/dev/zero', { what: 'x' })).toThrow(/x: "\/dev\/zero" is a character device; expected a regular file/);
    const big = path.join(dir, 'big');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 5000);
    expect(() => readRegularText(big, { what: 'x', maxBytes: 4096 })).toThrow(/x: ".*big" is 4\.9 KiB, over the 4 KiB limit for this input/);
    expect(readRegularText('/proc/self/status', { what: 'x' })).toMatch(/^Name:/);
  });
});
