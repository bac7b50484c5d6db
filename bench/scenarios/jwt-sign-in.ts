import { createHmac, randomUUID } from 'node:crypto';
import { adminApi } from '../lib/admin.ts';
import { DatabaseCpu } from '../lib/database-cpu.ts';
import { assertPossible, interleaved, type Rate } from '../lib/interleave.ts';
import { runLoad } from '../lib/load.ts';
import { startModule, type Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';
import { ROUNDS, SECONDS, WINDOW_SECONDS } from './session-check.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What the company's site does per sign-in: a short HS256 token with a fresh jti. */
export function signToken(secret: string, person: number): string {
  const header = b64({ alg: 'HS256', typ: 'JWT' });
  const payload = b64({ iat: Math.floor(Date.now() / 1000), jti: randomUUID(), email: `person${person}@example.com`, name: `Person ${person}`, external_id: `p${person}` });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/**
 * JWT SSO sign-in end to end: token checked (signature, times, single-use jti in the shared
 * replay store), account resolved (existing people, as on a normal day), session written.
 * The tokens are signed before the run, so the driver spends its time sending, not signing.
 */
export async function jwtSignIn(frontdoor: Server, apiKey: string, databaseUrl?: string): Promise<Row[]> {
  const created = await adminApi(frontdoor.url, apiKey, 'POST', '/api/v1/apps', {
    audience: 'users', type: 'jwt', slug: 'bench-jwt', config: { remoteLoginUrl: 'https://www.example.com/sso' },
  });
  const secret: string = created.sharedSecret;
  const people = 200;
  // First sign-ins create the people; the measured ones are returning visitors.
  for (let person = 0; person < people; person++) {
    const response = await fetch(`${frontdoor.url}/sso/bench-jwt/jwt`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ jwt: signToken(secret, person) }).toString(),
    });
    if (response.status !== 303) throw new Error(`JWT sign-in answered ${response.status}: ${await response.text()}`);
  }
  const bodies = Array.from({ length: 5000 * SECONDS }, (_, i) => `jwt=${signToken(secret, i % people)}`);
  let next = 0;
  const result = await runLoad({
    url: `${frontdoor.url}/sso/bench-jwt/jwt`, method: 'POST', connections: 10, seconds: SECONDS, serverPid: frontdoor.child.pid!,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, expectStatus: 303,
    setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
  });
  if (next > bodies.length) throw new Error('ran out of pre-signed tokens: replays would be measured');
  if (result.non2xx || result.errors) throw new Error(`JWT sign-in: ${result.non2xx} unexpected answers, ${result.errors} errors`);
  const rows: Row[] = [];
  if (databaseUrl) rows.push(await againstBareInsert(frontdoor, databaseUrl, secret, people));
  return [
    ...rows,
    { scenario: 'JWT SSO sign-in (HS256, returning person)', figure: 'sign-ins/s', value: result.perSecond, unit: '/s' },
    { scenario: 'JWT SSO sign-in (HS256, returning person)', figure: 'per server CPU-second', value: result.perServerCpuSecond, unit: '/CPU-s', goal: '≥ 2000 per core', met: result.perServerCpuSecond >= 2000 },
    { scenario: 'JWT SSO sign-in (HS256, returning person)', figure: 'p99 latency', value: result.p99Ms, unit: 'ms' },
  ];
}

/**
 * On a PostgreSQL server: the sign-in per CPU-second of Frontdoor and the database together,
 * interleaved with the floor, a bare server INSERTing one row per request into the same
 * database (bench/servers/bare-insert.ts), counted the same way. Goal: at least 0.4 of it.
 */
async function againstBareInsert(frontdoor: Server, databaseUrl: string, secret: string, people: number): Promise<Row> {
  const bodies = Array.from({ length: 5000 * WINDOW_SECONDS * ROUNDS }, (_, i) => `jwt=${signToken(secret, i % people)}`);
  let next = 0;
  const floor = await startModule('bench/servers/bare-insert.ts', { DATABASE_URL: databaseUrl });
  const database = await DatabaseCpu.open(databaseUrl);
  try {
    const window = async (server: Server, path: string, body: () => string): Promise<Rate> => {
      const before = await database.sample();
      const load = await runLoad({
        url: `${server.url}${path}`, method: 'POST', connections: 10, seconds: WINDOW_SECONDS, serverPid: server.child.pid!,
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, expectStatus: 303,
        setupRequest: (request) => ({ ...request, body: body() }),
      });
      const after = await database.sample();
      if (load.non2xx || load.errors) throw new Error(`${path}: ${load.non2xx} unexpected answers, ${load.errors} errors`);
      const cpu = load.requests / load.perServerCpuSecond + DatabaseCpu.spent(before, after);
      return { perSecond: load.perSecond, perCpuSecond: load.requests / cpu };
    };
    const pair = await interleaved(
      ROUNDS,
      () => window(floor, '/', () => bodies[next % bodies.length]!),
      () => window(frontdoor, '/sso/bench-jwt/jwt', () => bodies[next++ % bodies.length]!),
    );
    if (next > bodies.length) throw new Error('ran out of pre-signed tokens: replays would be measured');
    assertPossible('JWT sign-in against a bare INSERT', pair.perCpuSecond);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return {
      scenario: 'JWT SSO sign-in (HS256, returning person)', figure: 'per CPU-second of Frontdoor and PostgreSQL together',
      value: median(pair.subjects.map((r) => r.perCpuSecond)), unit: '/CPU-s',
      floor: { name: 'bare node:http INSERTing a row per request, same database, interleaved', value: median(pair.floors.map((r) => r.perCpuSecond)) },
      ratio: pair.perCpuSecond.median, ratioSpread: { min: pair.perCpuSecond.min, max: pair.perCpuSecond.max, rounds: ROUNDS },
      goal: '≥ 0.4 of floor', met: pair.perCpuSecond.median >= 0.4,
    };
  } finally {
    await database.close();
    await floor.stop();
  }
}
