import { availableParallelism } from 'node:os';
import { hashPassword, verifyPassword } from '../../src/protocols/password/hash.ts';

// The floor for password sign-in: how many argon2id verifications (OWASP parameters) this
// machine does per second with every core busy, and nothing else. A sign-in cannot beat it.
const seconds = Number(process.env.SECONDS ?? 5);
const workers = Number(process.env.CONCURRENCY ?? availableParallelism());
const encoded = await hashPassword('correct horse battery');
let done = 0;
const deadline = performance.now() + seconds * 1000;
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (performance.now() < deadline) {
      await verifyPassword(encoded, 'correct horse battery');
      done += 1;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(JSON.stringify({ verifications: done, seconds: elapsed, perSecond: done / elapsed, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
