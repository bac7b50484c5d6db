import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

// How far below the event loop the worker threads run (nice 0 → 10). Enough that the kernel
// hands a core to the event loop as soon as it has a request to answer.
const WORKER_NICENESS = 10;

/**
 * Linux only: lowers the priority of libuv's worker threads, where argon2id runs, below the
 * event loop's. A storm of password sign-ins then still fills every core, but a session check
 * or a page arriving meanwhile is answered at once instead of waiting for a time slice. The
 * threads exist once the pool has run its first job; threads are named "libuv-worker" by libuv.
 * Elsewhere (or with /proc hidden) nothing happens: the work queue alone bounds the hashing.
 * Returns how many threads were lowered.
 */
export function lowerWorkerThreadPriority(): number {
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of threads) {
    // Each thread on its own: one that ends while we look must not stop the others.
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      setPriority(Number(tid), WORKER_NICENESS);
      lowered += 1;
    } catch {
      continue;
    }
  }
  return lowered;
}
