import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from '../../src/core/work-queue.ts';

describe('WorkQueue', () => {
  it('runs at most `limit` jobs at once, the rest in order, and passes results and errors through', async () => {
    const queue = new WorkQueue(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 5 }, () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    const jobs = gates.map((gate, index) =>
      queue.run(async () => {
        running += 1;
        most = Math.max(most, running);
        order.push(index);
        await gate.promise;
        running -= 1;
        if (index === 3) throw new Error('job 3 failed');
        return index * 10;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [0, 1], 'two started, three wait');
    assert.equal(queue.waiting, 3);
    for (const gate of gates) gate.resolve();
    const results = await Promise.allSettled(jobs);
    assert.equal(most, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4], 'waiting jobs start in the order they came');
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), [0, 10, 20, 'job 3 failed', 40]);
    assert.equal(queue.waiting, 0);
  });
});
