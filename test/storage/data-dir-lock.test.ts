import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataDirectoryInUse, LOCK_FILE_NAME, liveLockOwner, lockDataDirectory } from '../../src/storage/data-dir-lock.ts';

// One process owns an embedded data directory (DESIGN.md invariant 8): the lock file, its
// staleness checks, and a real second process refused.
describe('the data directory lock', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'frontdoor-lock-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is one holder at a time: a second lock is refused until the first is released, and release removes the file', () => {
    const dir = freshDir();
    const lock = lockDataDirectory(dir, 'serve');
    assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').split('\n')[0], String(process.pid));
    assert.throws(() => lockDataDirectory(dir, 'cli: app list'), (error: unknown) => error instanceof DataDirectoryInUse && error.owner.purpose === 'serve');
    assert.equal(liveLockOwner(dir)?.pid, process.pid);
    lock.release();
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(liveLockOwner(dir), null);
    lockDataDirectory(dir, 'again').release();
  });

  it('takes over a stale lock: its process is gone, or the pid now belongs to a process started at another time', () => {
    const dir = freshDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, LOCK_FILE_NAME), `${dead}\n123\nserve\n`);
    assert.equal(liveLockOwner(dir), null);
    lockDataDirectory(dir, 'serve').release();

    // pid 1 is alive, but it did not start at clock tick 1 (that was the kernel itself, if anything).
    writeFileSync(join(dir, LOCK_FILE_NAME), '1\n1\nserve\n');
    assert.equal(liveLockOwner(dir), null);
    lockDataDirectory(dir, 'serve').release();

    writeFileSync(join(dir, LOCK_FILE_NAME), 'garbage');
    lockDataDirectory(dir, 'serve').release();
  });

  it('of eight processes racing for a stale lock, exactly one gets it', async () => {
    const dir = freshDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, LOCK_FILE_NAME), `${dead}\n123\nserve\n`);
    const go = join(dir, 'go');
    const release = join(dir, 'release');
    const racers = Array.from({ length: 8 }, () => {
      const child = spawn(process.execPath, ['-e', `
        const { existsSync } = await import('node:fs');
        const { lockDataDirectory } = await import(${JSON.stringify(new URL('../../src/storage/data-dir-lock.ts', import.meta.url).href)});
        while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 1));
        try {
          lockDataDirectory(${JSON.stringify(dir)}, 'serve');
          console.log('got');
          // Hold it until every racer has tried.
          while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 10));
        } catch (error) {
          console.log(error.constructor.name);
        }
      `], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const reported = new Promise<string>((resolve) => child.stdout.once('data', (chunk) => resolve(String(chunk).trim())));
      return { reported, exited };
    });
    writeFileSync(go, '');
    const results = await Promise.all(racers.map((r) => r.reported));
    writeFileSync(release, '');
    await Promise.all(racers.map((r) => r.exited));
    assert.equal(results.filter((r) => r === 'got').length, 1, results.join(', '));
    assert.equal(results.filter((r) => r === 'DataDirectoryInUse').length, 7, results.join(', '));
  });

  it('refuses while another live process holds it, and is free once that process is killed', async () => {
    const dir = freshDir();
    const holder = spawn(process.execPath, ['-e', `
      const { lockDataDirectory } = await import(${JSON.stringify(new URL('../../src/storage/data-dir-lock.ts', import.meta.url).href)});
      lockDataDirectory(${JSON.stringify(dir)}, 'serve');
      console.log('locked');
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      assert.throws(() => lockDataDirectory(dir, 'serve'), (error: unknown) => error instanceof DataDirectoryInUse && error.owner.pid === holder.pid && /in use by another Frontdoor process/.test(error.message));
      // SIGKILL: no chance to clean up; the file stays, and is stale.
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      assert.ok(readdirSync(dir).includes(LOCK_FILE_NAME));
      lockDataDirectory(dir, 'serve').release();
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
