import { runLoad } from '../lib/load.ts';
import { startModule } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';
import { createScratchDatabase } from '../lib/scratch-database.ts';
import { SECONDS } from './session-check.ts';

/**
 * The same two jobs done by better-auth on the same machine, in the same run: email and
 * password sign-in, and the session lookup (get-session with the cookie). It needs a
 * PostgreSQL server (it has no embedded PostgreSQL); the figures to compare it with are
 * Frontdoor's on the same server (`BENCH_DATABASE_URL`), and its own hashing is scrypt.
 */
export async function betterAuthPeer(databaseUrl: string): Promise<Row[]> {
  const database = await createScratchDatabase(databaseUrl);
  const peer = await startModule('bench/servers/better-auth.ts', { DATABASE_URL: database.url });
  try {
    const account = { email: 'peer@example.com', password: 'correct horse battery staple', name: 'Peer' };
    const signUp = await fetch(`${peer.url}/api/auth/sign-up/email`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: peer.url }, body: JSON.stringify(account),
    });
    if (!signUp.ok) throw new Error(`better-auth sign-up answered ${signUp.status}: ${await signUp.text()}`);
    const cookie = signUp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const lookups = await runLoad({
      url: `${peer.url}/api/auth/get-session`, headers: { cookie }, connections: 10, seconds: SECONDS, serverPid: peer.child.pid!, expectStatus: 200,
    });
    const signIns = await runLoad({
      url: `${peer.url}/api/auth/sign-in/email`, method: 'POST', connections: 8, seconds: SECONDS, serverPid: peer.child.pid!, expectStatus: 200,
      headers: { 'content-type': 'application/json', origin: peer.url }, body: JSON.stringify({ email: account.email, password: account.password }),
    });
    if (lookups.non2xx || signIns.non2xx) throw new Error(`better-auth: ${lookups.non2xx} + ${signIns.non2xx} unexpected answers`);
    return [
      { scenario: 'peer: better-auth session lookup, 10 connections', figure: 'requests/s', value: lookups.perSecond, unit: 'req/s' },
      { scenario: 'peer: better-auth session lookup, 10 connections', figure: 'per server CPU-second', value: lookups.perServerCpuSecond, unit: 'req/CPU-s' },
      { scenario: 'peer: better-auth session lookup, 10 connections', figure: 'p99 latency', value: lookups.p99Ms, unit: 'ms' },
      { scenario: 'peer: better-auth email sign-in (scrypt)', figure: 'sign-ins/s', value: signIns.perSecond, unit: '/s' },
      { scenario: 'peer: better-auth email sign-in (scrypt)', figure: 'p99 latency', value: signIns.p99Ms, unit: 'ms' },
    ];
  } finally {
    await peer.stop();
    await database.drop();
  }
}
