import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// One process owns an embedded database directory (DESIGN.md invariant 8). PGlite has no lock
// of its own: two processes on one directory each keep their own copy of the pages in memory
// and write over each other (seen as `duplicate key value violates unique constraint
// "audit_events_pkey"`, lost rows, and WebAssembly aborts). Like PostgreSQL's postmaster.pid,
// the owner writes a lock file with its pid, created atomically so exactly one of two
// processes starting together gets it (see lockDataDirectory), before anything opens or migrates the directory.

export const LOCK_FILE_NAME = 'frontdoor.pid';
/** Exit code of a process refused because another one holds the directory (EX_TEMPFAIL: try again later). */
export const DATA_DIR_IN_USE_EXIT_CODE = 75;

export type LockOwner = { pid: number; startedAt: string | null; purpose: string };

export class DataDirectoryInUse extends Error {
  readonly owner: LockOwner;
  readonly dataDir: string;
  constructor(dataDir: string, owner: LockOwner) {
    super(`The data directory ${dataDir} is in use by another Frontdoor process (pid ${owner.pid}, ${owner.purpose}). ` +
      'Only one process may open an embedded database; stop it first, or point FRONTDOOR_DATA_DIR elsewhere.');
    this.owner = owner;
    this.dataDir = dataDir;
  }
}

export type DataDirLock = { readonly path: string; release(): void };

// Lock files this process holds: a second open within one process is refused too (a file
// with our own pid that we did not write here is a stale one from an earlier life of this pid).
const heldHere = new Map<string, string>();

/**
 * Takes the directory's lock or throws DataDirectoryInUse. A lock whose process is gone
 * (crash, SIGKILL, reboot) is stale and taken over: its pid is not alive, or is alive but
 * started at another time (the pid was reused), or is our own (a container restarted us as pid 1).
 */
export function lockDataDirectory(directory: string, purpose: string): DataDirLock {
  const dataDir = resolve(directory);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE_NAME);
  const content = `${process.pid}\n${processStartTime(process.pid) ?? ''}\n${purpose}\n`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    // Written in full under a private name, then linked into place: link(2) fails if the name
    // exists, so the lock appears atomically and never empty (a reader never mistakes a
    // half-written lock for a stale one).
    const draft = `${path}.${process.pid}.draft`;
    writeFileSync(draft, content, { mode: 0o600 });
    try {
      linkSync(draft, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = readTextIfAny(path);
      if (text === null) continue; // gone meanwhile
      const owner = parseOwner(text);
      if (owner && heldHere.has(path)) throw new DataDirectoryInUse(dataDir, owner);
      if (owner && isAlive(owner)) throw new DataDirectoryInUse(dataDir, owner);
      // Stale: remove exactly what was judged (see removeStaleLock) and try again.
      removeStaleLock(path, text);
      continue;
    } finally {
      unlinkSync(draft);
    }
    let released = false;
    heldHere.set(path, content);
    return {
      path,
      release() {
        if (released) return;
        released = true;
        heldHere.delete(path);
        // Only our own file: never remove a lock another process took over.
        try {
          if (readFileSync(path, 'utf8') === content) unlinkSync(path);
        } catch { /* already gone */ }
      },
    };
  }
  throw new Error(`Could not take the lock ${path}: it keeps coming back.`);
}

/**
 * Two processes that both found the lock stale must not both remove it: the second would
 * remove the fresh lock the first just made, and both would run on one directory. So removal
 * is done under a second, short-lived lock file (`frontdoor.pid.takeover`), and only when the
 * lock still holds the stale content that was judged; the loser of the takeover waits a
 * moment and starts over (it then finds the winner's live lock, or none).
 */
function removeStaleLock(path: string, staleContent: string): void {
  const takeover = `${path}.takeover`;
  const draft = `${takeover}.${process.pid}.draft`;
  writeFileSync(draft, `${process.pid}\n${processStartTime(process.pid) ?? ''}\ntakeover\n`, { mode: 0o600 });
  try {
    linkSync(draft, takeover);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process is taking over. One that died doing so (a window of microseconds) leaves
    // its file behind: remove that one, since its owner is gone.
    const other = readOwnerFile(takeover);
    if (!other || !isAlive(other)) unlinkQuietly(takeover);
    else sleepMs(10);
    return;
  } finally {
    unlinkQuietly(draft);
  }
  try {
    if (readTextIfAny(path) === staleContent) unlinkQuietly(path);
  } finally {
    unlinkQuietly(takeover);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Who holds the directory, if anyone alive does. */
export function liveLockOwner(dataDir: string): LockOwner | null {
  const owner = readLockOwner(dataDir);
  return owner && (heldHere.has(join(dataDir, LOCK_FILE_NAME)) || isAlive(owner)) ? owner : null;
}

function readLockOwner(dataDir: string): LockOwner | null {
  return readOwnerFile(join(dataDir, LOCK_FILE_NAME));
}

function readOwnerFile(path: string): LockOwner | null {
  const text = readTextIfAny(path);
  return text === null ? null : parseOwner(text);
}

function readTextIfAny(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseOwner(text: string): LockOwner | null {
  const [pidLine, startedAt, purpose] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, startedAt: startedAt || null, purpose: purpose || 'unknown' };
}

function isAlive(owner: LockOwner): boolean {
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's process.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const startedAt = processStartTime(owner.pid);
  return !(owner.startedAt && startedAt && startedAt !== owner.startedAt);
}

/** Linux: the process's start time in clock ticks since boot (/proc/PID/stat field 22); null elsewhere. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
