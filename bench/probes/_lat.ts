import { mkdtemp } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerUser } from '../lib/frontdoor-client.ts';
import { startFrontdoor, startModule } from '../lib/processes.ts';
import { createScratchDatabase } from '../lib/scratch-database.ts';
const scratch = process.env.PG ? await createScratchDatabase('postgres://postgres@127.0.0.1:5432/postgres') : undefined;
const target = process.env.TARGET ?? 'frontdoor';
const fd = target === 'bare' ? await startModule('bench/servers/bare-http.ts') : await startFrontdoor({ ...(scratch ? { DATABASE_URL: scratch.url } : { FRONTDOOR_DATA_DIR: await mkdtemp(join(tmpdir(), 'lat-')) }), ...(process.env.PROF ? { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=/tmp/prof' } : {}) });
const cookie = target === 'bare' ? '' : await registerUser(fd.url, { name: 'B', email: 'b@example.com', password: 'correct horse battery staple' });
import { formState } from '../lib/frontdoor-client.ts';
import { runLoad } from '../lib/load.ts';
const storm = process.env.STORM ? (async () => {
  const form = await formState(fd.url, '/login');
  const body = new URLSearchParams({ _csrf: form.csrfToken, email: 'b@example.com', password: 'correct horse battery staple' }).toString();
  return runLoad({ url: `${fd.url}/login`, method: 'POST', body, connections: 8, seconds: 9, serverPid: fd.child.pid!, expectStatus: 303, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie } });
})() : undefined;
await new Promise((r) => setTimeout(r, 500));
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const once = () => new Promise<number>((resolve, reject) => {
  const t = process.hrtime.bigint();
  const req = request(`${fd.url}/api/v1/session`, { agent, headers: { cookie } }, (res) => { res.resume(); res.on('end', () => resolve(Number(process.hrtime.bigint() - t) / 1e6)); });
  req.on('error', reject); req.end();
});
const latencies: number[] = [];
const end = Date.now() + 8000;
const pending: Promise<void>[] = [];
while (Date.now() < end) {
  pending.push(once().then((ms) => void latencies.push(ms)));
  await new Promise((r) => setTimeout(r, 5));
}
await Promise.all(pending);
if (storm) console.log('sign-ins/s', (await storm).perSecond);
latencies.sort((a, b) => a - b);
const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(2);
console.log(`${target}: n=${latencies.length} p50 ${p(0.5)} p90 ${p(0.9)} p99 ${p(0.99)} max ${p(1)} ms; >5ms: ${latencies.filter((l) => l > 5).length}`);
await fd.stop();
await scratch?.drop();
