// Atomic file updates and a small cross-process lock, on node:fs alone.
// rename(2) within one file system replaces the target atomically, so a
// reader sees the old file or the new one, never a torn write; fsync before
// the rename makes the new content durable before it becomes visible.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { open, rename, rm, stat, unlink, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { isMoltError, MoltError } from '../errors';

/** a name for a temporary sibling, unique across processes and calls */
export function tempName(prefix: string): string {
  return `.${prefix}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * A failed write as a MoltError naming the file: Node's own message for a
 * failed write(2) ('ENOSPC: no space left on device, write') names none.
 */
export function writeError(file: string, e: unknown): Error {
  if (isMoltError(e)) return e;
  return new MoltError(`${file}: cannot write (${(e as Error).message ?? e})`, file);
}

/** writeFile whose errors name the file. */
export async function writeFileNamed(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (e) {
    throw writeError(file, e);
  }
}

/** writeFileSync whose errors name the file. */
export function writeFileNamedSync(file: string, data: string | Uint8Array): void {
  try {
    writeFileSync(file, data);
  } catch (e) {
    throw writeError(file, e);
  }
}

/** Write a file so that readers never see it half-written; an error names the file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(file), tempName(basename(file)));
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw writeError(file, e);
  }
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Parse a JSON file; `fallback` when it does not exist; MoltError naming the file otherwise. */
export async function readJsonFile<T>(file: string, fallback?: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && fallback !== undefined) return fallback;
    throw new MoltError(`${file}: cannot read (${(e as Error).message})`, file);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new MoltError(`${file}: not valid JSON (${(e as Error).message})`, file);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder a lock file names ('host pid'; older files hold a bare pid, taken as this host). */
function lockHolder(text: string): { host: string; pid: number } {
  const parts = text.trim().split(' ');
  return parts.length === 2 ? { host: parts[0], pid: Number(parts[1]) } : { host: hostname(), pid: Number(parts[0]) };
}

export interface FileLockOptions {
  /** give up after this long (default 30 s; 0: try once) */
  timeoutMs?: number;
  /** break a lock older than this (default 2 min) */
  staleMs?: number;
  /** called once when the lock is found held, with its holder ('host pid') */
  onWait?: (holder: string) => void;
  /** the error message when giving up (default: the lock file, its holder and what to do) */
  busy?: (holder: { host: string; pid: number }) => string;
}

/**
 * Take an exclusive lock file (created with O_EXCL); resolves to its release.
 * A lock whose holder process is gone (checked on the holder's own host
 * only: the store may be shared between machines) or that is older than
 * staleMs is broken. Two waiters breaking the same stale lock at the same
 * instant could both proceed; that needs a crashed holder plus a race within
 * milliseconds.
 */
async function acquireFileLock(lockFile: string, opts: FileLockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 120_000;
  let told = false;
  let holder = { host: '?', pid: NaN };
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 25)) {
    try {
      const fh = await open(lockFile, 'wx');
      await fh.writeFile(`${hostname()} ${process.pid}`);
      await fh.close();
      return () => unlink(lockFile).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      const [info, text] = await Promise.all([stat(lockFile), readFile(lockFile, 'utf8')]);
      holder = lockHolder(text);
      const dead = holder.host === hostname() && Number.isInteger(holder.pid) && holder.pid > 0 && !processAlive(holder.pid);
      if (dead || Date.now() - info.mtimeMs > staleMs) {
        await unlink(lockFile).catch(() => undefined);
        continue;
      }
      if (!told) {
        told = true;
        opts.onWait?.(text.trim());
      }
    } catch {
      continue; // released between our attempts: try again at once
    }
    if (Date.now() >= deadline) {
      throw new MoltError(opts.busy?.(holder) ?? `lock ${lockFile} is held by process ${holder.pid} on ${holder.host}; remove the file if that process is gone`, lockFile);
    }
    await sleep(wait);
  }
}

/**
 * Run fn while holding an exclusive lock file (acquireFileLock). Used for
 * read-modify-write updates (the alias table), where atomic rename alone
 * would still lose a concurrent update, around builds that share a work
 * directory, and by a bench run on its out dir.
 */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const release = await acquireFileLock(lockFile, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}
