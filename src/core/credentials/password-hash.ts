import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { WorkQueue } from '../work-queue.ts';
import { lowerWorkerThreadPriority } from '../worker-priority.ts';

// @node-rs/argon2 exports Algorithm as a const enum, which type stripping cannot see; 2 is Argon2id.
const ARGON2ID = 2;

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
export type Argon2Params = { memoryCost: number; timeCost: number; parallelism: number };
export const ARGON2_PARAMS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// One argon2id computation per core at most: each takes ~20 MiB and a core for ~10-20 ms, and
// more at once only makes every one of them (and the event loop) slower.
const hashing = new WorkQueue(availableParallelism());

// After the first argon2id job the worker threads exist: from then on they run below the
// event loop (see worker-priority.ts), so sign-in storms do not delay everyone else's requests.
let workersLowered = false;
async function argon2<T>(job: () => Promise<T>): Promise<T> {
  try {
    return await hashing.run(job);
  } finally {
    if (!workersLowered) {
      workersLowered = true;
      lowerWorkerThreadPriority();
    }
  }
}

export async function hashPassword(password: string, params: Argon2Params = ARGON2_PARAMS): Promise<string> {
  return argon2(() => hash(password, { ...params, algorithm: ARGON2ID }));
}

export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  try {
    return await argon2(() => verify(encoded, password));
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

/** True when a stored hash was made with other parameters than today's: rehash on sign-in. */
export function needsRehash(encoded: string, params: Argon2Params = ARGON2_PARAMS): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!match) return true;
  return Number(match[1]) !== params.memoryCost || Number(match[2]) !== params.timeCost || Number(match[3]) !== params.parallelism;
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash, so that a sign-in for an unknown email (or a person
 * without a password) costs the same time as a wrong password and does not reveal who exists.
 */
export async function burnVerifyTime(password: string): Promise<void> {
  dummyHash ??= hashPassword('frontdoor-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}
