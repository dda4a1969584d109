/**
 * The one place where frontier-gate touches files it was given: reading inputs, writing outputs atomically
 * and locking a file for a read-modify-write.
 *
 * - readRegularFile: opens without following a FIFO's block, checks on the open descriptor that the thing is
 *   a regular file and not over its size cap, then reads at most the cap. A folder, FIFO, device
 *   (/dev/zero), socket or a file over the cap is a UserError (exit 2) naming the file and what it is.
 * - readRegularText: readRegularFile decoded as UTF-8 by one rule (decodeText): a UTF-8 byte order mark is
 *   dropped; UTF-16 (with or without its mark), bytes that are not UTF-8 and CR-only line endings are named
 *   as the encoding problem they are (exit 2), not left to a parser's confusing complaint.
 * - writeFileAtomic: temp file in the target's folder, fsync, rename, fsync of the folder. The temp file is
 *   removed on every failure path; temp files left by killed processes are removed by the next write. The
 *   file's mode is kept. A symbolic link is written THROUGH (the link stays and its target is replaced)
 *   only when the user named that very path (`followLink`); at a path frontier-gate chose itself (a file
 *   in an output folder, the action's files) a link is refused, so a link planted in a repository cannot
 *   redirect a write. A read-only file (no write bit) is refused, never silently rewritten.
 * - checkOutputPath: an output path is checked before any work starts (by the same rules).
 * - withFileLock: a lock file beside the file, created complete by a hard link, naming its owner (host, pid
 *   and process start time), so a lock left by a killed process is recognised at once; permission errors
 *   fail at once with their real cause.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';

const MiB = 1024 * 1024;

/** Size caps of every file input, bytes. Named in the error a file over its cap gets. */
export const FILE_LIMITS = {
  config: 1 * MiB,
  store: 64 * MiB,
  metrics: 16 * MiB,
  searchSpace: 1 * MiB,
  accuracyTable: 16 * MiB,
  report: 8 * MiB,
  event: 16 * MiB,
  modelCard: 4 * MiB,
  onnx: 2048 * MiB,
} as const;
export type FileKind = keyof typeof FILE_LIMITS;

/** A file input that cannot be read; `code` is the errno code (ENOENT...) or NOTREGULAR / TOOLARGE. */
export class FileInputError extends UserError {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'FileInputError';
  }
}

export function describeFileType(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

export function formatBytes(n: number): string {
  if (n >= MiB) return `${+(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** At most `max` characters of an untrusted value, JSON-quoted, for error messages. */
export function excerpt(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(cut).replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface ReadOptions {
  /** Size cap in bytes (FILE_LIMITS[...] by default when `kind` is given). */
  maxBytes?: number;
  kind?: FileKind;
  /** What the file is for, e.g. "--frontier" or "config"; starts the message. */
  what: string;
}

function capOf(opts: ReadOptions): number {
  return opts.maxBytes ?? (opts.kind ? FILE_LIMITS[opts.kind] : FILE_LIMITS.config);
}

function limitName(opts: ReadOptions): string {
  return opts.kind && opts.maxBytes === undefined ? ` (FILE_LIMITS.${opts.kind})` : '';
}

/**
 * Reads a regular file of at most `maxBytes` bytes. The type and size are checked on the open descriptor
 * (no race with a swapped path) before a byte is read, and no more than the cap is ever read.
 */
export function readRegularFile(file: string, opts: ReadOptions): Buffer {
  const cap = capOf(opts);
  const name = JSON.stringify(file);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise block forever.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const why =
      code === 'ENOENT' ? 'no such file' :
      code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
      code === 'EISDIR' ? 'a folder, not a file' :
      code === 'ELOOP' ? 'a loop of symbolic links' :
      code === 'ENOTDIR' ? 'a part of the path is not a folder' :
      code === 'ENXIO' ? 'a socket or device that cannot be read as a file' :
      (err as Error).message;
    throw new FileInputError(`${opts.what}: cannot read ${name}: ${why}`, code === 'EISDIR' ? 'NOTREGULAR' : code);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      throw new FileInputError(`${opts.what}: ${name} is ${describeFileType(st)}; expected a regular file`, 'NOTREGULAR');
    }
    if (st.size > cap) {
      throw new FileInputError(
        `${opts.what}: ${name} is ${formatBytes(st.size)}, over the ${formatBytes(cap)} limit for this input${limitName(opts)}`,
        'TOOLARGE',
      );
    }
    // Files in /proc and the like report size 0 and still have content: read in chunks up to cap + 1.
    let buf = Buffer.allocUnsafe(Math.min(cap + 1, Math.max(st.size + 1, 64 * 1024)));
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (buf.length >= cap + 1) break;
        const bigger = Buffer.allocUnsafe(Math.min(cap + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      let n: number;
      try {
        n = fs.readSync(fd, buf, got, buf.length - got, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw new FileInputError(`${opts.what}: cannot read ${name}: ${(err as Error).message}`, (err as NodeJS.ErrnoException).code ?? 'EIO');
      }
      if (n === 0) break;
      got += n;
    }
    if (got > cap) {
      throw new FileInputError(`${opts.what}: ${name} grew past the ${formatBytes(cap)} limit for this input while being read${limitName(opts)}`, 'TOOLARGE');
    }
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/** A text input that is not UTF-8 text (exit 2): UTF-16, invalid bytes, CR-only line endings. */
export class EncodingError extends UserError {
  constructor(readonly what: string, readonly detail: string) {
    super(`${what}: ${detail}`);
    this.name = 'EncodingError';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-16 without a mark: ASCII text has a zero byte in every other position. */
function looksUtf16(buf: Uint8Array): 'LE' | 'BE' | undefined {
  const n = Math.min(buf.length - (buf.length % 2), 512);
  if (n < 8) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) even++;
    if (buf[i + 1] === 0) odd++;
  }
  const half = n / 2;
  if (odd >= half * 0.9 && even === 0) return 'LE';
  if (even >= half * 0.9 && odd === 0) return 'BE';
  return undefined;
}

/** Offset of the first byte that does not continue a valid UTF-8 sequence. */
function firstInvalidUtf8(buf: Uint8Array, start: number): number {
  for (let i = start; i < buf.length; ) {
    const b = buf[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (!len || i + len > buf.length) return i;
    for (let k = 1; k < len; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return buf.length;
}

/**
 * Bytes of a text input as a string, by one rule for every text file frontier-gate reads (configs, stores,
 * spaces, metrics, tables, events, reports, and files fetched through the API): UTF-8, a leading UTF-8 byte
 * order mark dropped. UTF-16 (with or without its mark), invalid UTF-8 and CR-only line endings are refused
 * with what to do about them. `what` names the input and the file.
 */
export function decodeText(buf: Uint8Array, what: string): string {
  const save = 'save it as UTF-8 (without a byte order mark: any editor\'s "UTF-8" encoding)';
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    throw new EncodingError(what, `the file is UTF-16 (${buf[0] === 0xff ? 'little' : 'big'}-endian, with a byte order mark); ${save}`);
  }
  const utf16 = looksUtf16(buf);
  if (utf16) throw new EncodingError(what, `the file looks like UTF-16 (${utf16 === 'LE' ? 'little' : 'big'}-endian: a zero byte beside every character); ${save}`);
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let text: string;
  try {
    text = UTF8.decode(buf.subarray(start));
  } catch {
    throw new EncodingError(what, `the file is not UTF-8 text (invalid bytes at byte ${firstInvalidUtf8(buf, start)}); ${save}`);
  }
  const cr = text.indexOf('\r');
  if (cr >= 0 && !text.includes('\n') && text.indexOf('\r', cr + 1) >= 0) {
    throw new EncodingError(what, `the file's lines end in CR alone (classic Mac OS line endings); save it with LF (or CRLF) line endings`);
  }
  return text;
}

/** readRegularFile as text (decodeText: UTF-8, a byte order mark dropped, encoding problems named). */
export function readRegularText(file: string, opts: ReadOptions): string {
  return decodeText(readRegularFile(file, opts), `${opts.what}: ${JSON.stringify(file)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Output paths

function nearestExisting(dir: string): string {
  let d = dir;
  while (!fs.existsSync(d)) {
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** How an output path may be written. */
export interface OutputOptions {
  /**
   * The user named this very path (a flag's value as given): a symbolic link there is written through to
   * its target. Otherwise (a file frontier-gate names itself, in an output folder or in the action) a link
   * is refused.
   */
  followLink?: boolean;
}

function linkRefusal(file: string, what: string): UserError {
  return new UserError(
    `${what}: ${JSON.stringify(file)} is a symbolic link; frontier-gate writes through a link only at a path you name yourself ` +
      '(a flag\'s value), never at a file it names itself: remove the link or name the file',
  );
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Checks, before any work, that `file` can be written as a file: not a folder or special file, not a
 * read-only file, not a symbolic link unless `followLink`, in a folder that exists (or can be created) and
 * is writable. `what` names the flag or input. Throws a UserError (exit 2).
 */
export function checkOutputPath(file: string, what: string, opts: OutputOptions = {}): void {
  const name = JSON.stringify(file);
  if (!file || /[\\/]$/.test(file)) throw new UserError(`${what}: ${name} names a folder; expected a file path`);
  if (!opts.followLink && isLink(file)) throw linkRefusal(file, what);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UserError(`${what}: ${name}: a part of the path is a file, not a folder`);
    if (code === 'ELOOP') throw new UserError(`${what}: ${name}: a loop of symbolic links`);
    if (code !== 'ENOENT') throw new UserError(`${what}: ${name}: ${(err as Error).message}`);
  }
  if (st) {
    if (!st.isFile()) throw new UserError(`${what}: ${name} is ${describeFileType(st)}; expected a regular file (or a new file's path)`);
    if ((st.mode & 0o222) === 0) throw new UserError(`${what}: ${name} is read-only (mode ${(st.mode & 0o777).toString(8)}); not overwriting it`);
  }
  const target = st ? fs.realpathSync(file) : file;
  const dir = path.dirname(path.resolve(target));
  const existing = nearestExisting(dir);
  const dst = fs.statSync(existing);
  if (!dst.isDirectory()) throw new UserError(`${what}: ${name}: ${JSON.stringify(existing)} is ${describeFileType(dst)}, not a folder`);
  if (!writable(existing)) {
    throw new UserError(`${what}: ${name}: the folder ${JSON.stringify(existing)} is not writable (permission denied)`);
  }
  if (fs.existsSync(dir) && isReadOnlyFolder(dir)) {
    throw new UserError(`${what}: ${name}: the folder ${JSON.stringify(dir)} is read-only (mode ${(fs.statSync(dir).mode & 0o777).toString(8)})`);
  }
}

/** A folder without any write bit is treated as read-only even for root (who could write it anyway). */
function isReadOnlyFolder(dir: string): boolean {
  return (fs.statSync(dir).mode & 0o222) === 0;
}

/** A folder (--family-dir, output-dir): an existing folder that is writable, or a path that can be made one. */
export function checkOutputFolder(dir: string, what: string): void {
  const name = JSON.stringify(dir);
  if (fs.existsSync(dir)) {
    const st = fs.statSync(dir);
    if (!st.isDirectory()) throw new UserError(`${what}: ${name} is ${describeFileType(st)}; expected a folder`);
    if (!writable(dir) || isReadOnlyFolder(dir)) throw new UserError(`${what}: the folder ${name} is not writable`);
    return;
  }
  const existing = nearestExisting(path.resolve(dir));
  const st = fs.statSync(existing);
  if (!st.isDirectory()) throw new UserError(`${what}: ${name}: ${JSON.stringify(existing)} is ${describeFileType(st)}, not a folder`);
  if (!writable(existing) || isReadOnlyFolder(existing)) throw new UserError(`${what}: ${name}: the folder ${JSON.stringify(existing)} is not writable`);
}

// ---------------------------------------------------------------------------------------------------------
// Atomic write

const TEMP_RE = (base: string) => new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp files of `file` left by processes that no longer run (killed mid-write). */
export function removeStaleTemps(file: string): number {
  const dir = path.dirname(file);
  const re = TEMP_RE(path.basename(file));
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    const m = re.exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    try {
      fs.unlinkSync(path.join(dir, n));
      removed++;
    } catch {
      // another process removed it first
    }
  }
  return removed;
}

/** Where a write to `file` lands: the file itself, or the final target of a symbolic link. */
export function writeTarget(file: string): string {
  let p = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  throw new UserError(`${JSON.stringify(file)}: a loop of symbolic links; not writing`);
}

function writeError(file: string, err: unknown, what: string): Error {
  const e = err as NodeJS.ErrnoException;
  const name = JSON.stringify(file);
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return new UserError(`${what}: cannot write ${name}: permission denied`);
    case 'EROFS':
      return new UserError(`${what}: cannot write ${name}: the file system is read-only`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new UserError(`${what}: cannot write ${name}: no space left on the device; the previous file is unchanged`);
    case 'EFBIG':
      return new UserError(`${what}: cannot write ${name}: over the file-size limit; the previous file is unchanged`);
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserError(`${what}: cannot write ${name}: its folder does not exist`);
    case 'EISDIR':
      return new UserError(`${what}: cannot write ${name}: it is a folder`);
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

export interface WriteOptions extends OutputOptions {
  /** Names the file in errors, e.g. "--frontier" or "-o". */
  what?: string;
  /** Mode of a new file (an existing file keeps its own); default 0o644. */
  mode?: number;
}

/**
 * Writes `data` to `file` atomically (readers see the old or the new file, never a part): temp file in the
 * same folder, write, fsync, keep the mode, rename, fsync the folder. A symbolic link is written through
 * to its target (the link is kept) only with `followLink` (the user named this path); otherwise it is
 * refused. The temp file is removed on every failure path.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteOptions = {}): void {
  const what = opts.what ?? 'output';
  if (!opts.followLink && isLink(file)) throw linkRefusal(file, what);
  const target = writeTarget(file);
  const dir = path.dirname(target);
  let mode = opts.mode ?? 0o644;
  try {
    const st = fs.statSync(target);
    if (!st.isFile()) throw new UserError(`${what}: ${JSON.stringify(file)} is ${describeFileType(st)}; expected a regular file`);
    if ((st.mode & 0o222) === 0) throw new UserError(`${what}: ${JSON.stringify(file)} is read-only (mode ${(st.mode & 0o777).toString(8)}); not overwriting it`);
    mode = st.mode & 0o7777;
  } catch (err) {
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(file, err, what);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw writeError(file, err, what);
  }
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
    fs.fchmodSync(fd, mode);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
    fs.rmSync(tmp, { force: true });
    throw writeError(file, err, what);
  }
  fsyncFolder(dir);
  removeStaleTemps(target);
}

function fsyncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Lock

interface LockOwner {
  host: string;
  pid: number;
  /** Process start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart. */
  start: string | null;
  /** When the lock was taken (ms since the epoch). */
  since: number;
}

/** Start time of a process, or null where /proc is not available. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function lockPath(file: string): string {
  return `${file}.lock`;
}

/** A lock that is not a complete owner file (a folder left by an older version, garbage) counts as dead after this. */
const UNKNOWN_LOCK_STALE_MS = 30_000;

function readOwnerAt(p: string): LockOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(p, 'utf8')) as LockOwner;
    return typeof o?.pid === 'number' && typeof o.host === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** The lock's owner ran on this host and is gone, or its pid now belongs to another process. */
function ownerDead(owner: LockOwner | null, lock: string): boolean {
  if (!owner) {
    try {
      return Date.now() - fs.statSync(lock).mtimeMs > UNKNOWN_LOCK_STALE_MS;
    } catch {
      return false;
    }
  }
  if (owner.host !== os.hostname()) return false;
  if (!pidAlive(owner.pid)) return true;
  const start = processStart(owner.pid);
  return owner.start !== null && start !== null && start !== owner.start;
}

const sameOwner = (a: LockOwner | null, b: LockOwner | null) =>
  a === null ? b === null : b !== null && a.pid === b.pid && a.host === b.host && a.start === b.start && a.since === b.since;

/**
 * Removes a lock whose owner is dead. The lock is first renamed to a unique name (only one process can win
 * that rename) and removed only if it still names the dead owner; a live lock caught in between is put back.
 */
function takeOverDeadLock(file: string, dead: LockOwner | null): void {
  const lock = lockPath(file);
  const aside = `${lock}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lock, aside);
  } catch {
    return; // someone else took it over or released it first
  }
  if (sameOwner(dead, readOwnerAt(aside))) {
    fs.rmSync(aside, { recursive: true, force: true });
    return;
  }
  try {
    fs.linkSync(aside, lock);
  } catch {
    // a new lock exists meanwhile; the one moved aside belonged to a process that has finished or will
    // find its lock gone when it releases
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

/** Lock temp files and set-aside locks of processes that no longer run. */
function removeStaleLockTemps(file: string): void {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${base}\\.lock\\.(?:stale\\.)?(\\d+)\\.[0-9a-f]+(?:\\.tmp)?$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = re.exec(n);
    if (m && !pidAlive(Number(m[1]))) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
  }
}

export interface LockOptions {
  /** How long to keep retrying while a live process holds the lock, milliseconds (default 60 s). */
  waitMs?: number;
  /** Names the file in errors. */
  what?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` holding the lock on `file`: `FILE.lock`, a file created complete (written to a temp file, then
 * hard-linked into place, which fails if the lock exists) holding the owner's host, pid and process start
 * time. A lock held by a live process is waited for (up to waitMs); a lock whose owner is dead (killed) is
 * taken over at once; any other failure (permissions, read-only folder, full disk) fails at once with its
 * real cause.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const what = opts.what ?? 'lock';
  const waitMs = opts.waitMs ?? 60_000;
  const deadline = Date.now() + waitMs;
  const lock = lockPath(file);
  const me: LockOwner = { host: os.hostname(), pid: process.pid, start: processStart(process.pid), since: Date.now() };
  const tmp = `${lock}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(me), { flag: 'wx' });
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw writeError(lock, err, `${what}: cannot lock ${JSON.stringify(file)}`);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, lock);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw writeError(lock, err, `${what}: cannot lock ${JSON.stringify(file)}`);
      }
      const owner = readOwnerAt(lock);
      if (ownerDead(owner, lock)) {
        takeOverDeadLock(file, owner);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new UserError(
          `${what}: ${JSON.stringify(file)} is locked by ${owner ? `process ${owner.pid} on ${owner.host}` : `${JSON.stringify(lock)}`}, which is still running, after waiting ${Math.round(waitMs / 1000)} s`,
        );
      }
      await sleep(Math.min(200, 10 + attempt * 10) * (0.5 + Math.random()));
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  removeStaleLockTemps(file);
  try {
    return await fn();
  } finally {
    // Only our own lock is removed (a takeover by mistake would have replaced it).
    if (sameOwner(me, readOwnerAt(lock))) fs.rmSync(lock, { force: true });
  }
}
