import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hashPassword } from '../../src/core/credentials/password-hash.ts';

/** The nice value of each of this process's threads named `name` (Linux /proc). */
function niceOfThreads(name: string): number[] {
  return readdirSync('/proc/self/task')
    .filter((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name)
    // Field 19 of stat is the nice value; the command name (field 2) is in parentheses and may hold spaces.
    .map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
}

describe('argon2id worker threads', () => {
  it('run below the event loop once hashing has started, so sign-in storms leave it a core', async () => {
    await hashPassword('correct horse battery');
    const workers = niceOfThreads('libuv-worker');
    assert.ok(workers.length >= 1, 'libuv worker threads exist after a hash');
    assert.ok(workers.every((nice) => nice === 10), `workers at nice 10: ${workers.join(', ')}`);
    const mainThread = Number(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    assert.equal(mainThread, 0, 'the event loop keeps its priority');
  });
});
