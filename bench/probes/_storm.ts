import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formState, registerUser } from '../lib/frontdoor-client.ts';
import { runLoad } from '../lib/load.ts';
import { startFrontdoor } from '../lib/processes.ts';
const account = { name: 'Bench User', email: 'bench@example.com', password: 'correct horse battery staple' };
const fd = await startFrontdoor({ FRONTDOOR_DATA_DIR: await mkdtemp(join(tmpdir(), 'storm-')) });
const sessionCookie = await registerUser(fd.url, account);
const form = await formState(fd.url, '/login');
const body = new URLSearchParams({ _csrf: form.csrfToken, email: account.email, password: account.password }).toString();
const conns = Number(process.env.CONNS ?? 8);
const [signIns, checks] = await Promise.all([
  conns ? runLoad({ url: `${fd.url}/login`, method: 'POST', body, connections: conns, seconds: 8, serverPid: fd.child.pid!, expectStatus: 303, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie } }) : Promise.resolve({ perSecond: 0 }),
  runLoad({ url: `${fd.url}/api/v1/session`, headers: { cookie: sessionCookie }, connections: 4, seconds: 8, overallRate: 200, serverPid: fd.child.pid!, expectStatus: 200 }),
]);
console.log(`sign-ins ${signIns.perSecond}/s; checks p50 ${checks.p50Ms} p99 ${checks.p99Ms}`);
await fd.stop();
