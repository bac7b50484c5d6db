import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

// The floor for password sign-in, bare: @node-rs/argon2 itself (argon2id m=19456 t=2 p=1, the
// parameters Frontdoor stores), one verification per core at a time, and nothing else: no
// Frontdoor code (not its queue, not its nice-10 threads), no HTTP, no database. A sign-in
// does this verification and more, so per CPU-second it cannot beat it. Prints the count, the
// wall time and this process's CPU time (user + system of every thread) over the window.
const seconds = Number(process.env.SECONDS ?? 5);
const workers = Number(process.env.CONCURRENCY ?? availableParallelism());
const ARGON2ID = 2;
const encoded = await hash('correct horse battery', { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: ARGON2ID });
for (let i = 0; i < workers; i++) await verify(encoded, 'correct horse battery'); // warm
let done = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (performance.now() < deadline) {
      if (!(await verify(encoded, 'correct horse battery'))) throw new Error('the floor failed to verify');
      done += 1;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(JSON.stringify({ operations: done, seconds: elapsed, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
