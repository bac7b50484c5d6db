import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BriefCache, deepFreeze } from '../../src/core/brief-cache.ts';

describe('BriefCache', () => {
  it('reuses a value within its lifetime, and loads again after it', async () => {
    let now = 0;
    const cache = new BriefCache<string, number>({ ttlMs: 900, now: () => now });
    let loads = 0;
    const load = async () => ++loads;
    assert.equal(await cache.get('k', load), 1);
    now = 899;
    assert.equal(await cache.get('k', load), 1);
    now = 900;
    assert.equal(await cache.get('k', load), 2);
  });

  it('shares one load among concurrent misses', async () => {
    const cache = new BriefCache<string, number>();
    let loads = 0;
    const values = await Promise.all(Array.from({ length: 10 }, () => cache.get('k', async () => (await sleep(5), ++loads))));
    assert.deepEqual(new Set(values), new Set([1]));
    assert.equal(loads, 1);
  });

  it('does not keep a failed load, nor a value `keep` refuses', async () => {
    const cache = new BriefCache<string, number | undefined>();
    await assert.rejects(cache.get('k', async () => { throw new Error('database away'); }));
    assert.equal(await cache.get('k', async () => 7), 7);
    assert.equal(await cache.get('gone', async () => undefined, (v) => v !== undefined), undefined);
    assert.equal(await cache.get('gone', async () => 8, (v) => v !== undefined), 8);
  });

  it('after forgetAll, never keeps a load that started before it (a write on this node is seen at once)', async () => {
    const cache = new BriefCache<string, string>();
    let release!: () => void;
    const slow = cache.get('k', () => new Promise<string>((resolve) => (release = () => resolve('before the write'))));
    cache.forgetAll();
    release();
    assert.equal(await slow, 'before the write');
    assert.equal(await cache.get('k', async () => 'after the write'), 'after the write');
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const cache = new BriefCache<number, number>({ maxEntries: 2 });
    let loads = 0;
    for (const key of [1, 2, 3]) await cache.get(key, async () => (loads++, key));
    await cache.get(3, async () => (loads++, 3));
    await cache.get(1, async () => (loads++, 1));
    assert.equal(loads, 4, 'key 1 was dropped and loaded again; key 3 was kept');
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays, so a shared cached value cannot be changed', () => {
    const value = deepFreeze({ config: { list: [1, { a: 1 }] } });
    assert.throws(() => { (value.config as { list: unknown[] }).list.push(2); }, TypeError);
    assert.throws(() => { ((value.config.list[1] as { a: number }).a = 2); }, TypeError);
  });
});
