import { createHmac, randomUUID } from 'node:crypto';
import { adminApi } from '../lib/admin.ts';
import { runLoad } from '../lib/load.ts';
import type { Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';
import { SECONDS } from './session-check.ts';

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
export async function jwtSignIn(frontdoor: Server, apiKey: string): Promise<Row[]> {
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
  return [
    { scenario: 'JWT SSO sign-in (HS256, returning person)', figure: 'sign-ins/s', value: result.perSecond, unit: '/s' },
    { scenario: 'JWT SSO sign-in (HS256, returning person)', figure: 'per server CPU-second', value: result.perServerCpuSecond, unit: '/CPU-s', goal: '≥ 2000 per core', met: result.perServerCpuSecond >= 2000 },
    { scenario: 'JWT SSO sign-in (HS256, returning person)', figure: 'p99 latency', value: result.p99Ms, unit: 'ms' },
  ];
}
