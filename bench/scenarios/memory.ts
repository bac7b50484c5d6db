import { adminApi } from '../lib/admin.ts';
import { runLoad } from '../lib/load.ts';
import { idleRssMegabytesOf, rssMegabytesOf, type Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';
import { signToken } from './jwt-sign-in.ts';

const SIGN_INS = 10_000;

/**
 * Resident memory of `frontdoor serve` after 10,000 sign-ins (JWT: the cheapest whole sign-in,
 * so the count is reached in seconds; each writes a session, a trace and an audit event, and
 * reads a person), against the goals of issue 20 on the embedded database: at most 200 MB at
 * rest, 250 MB after. `atRest` is the figure 30 s after the ordinary start answered.
 */
export async function memoryAfterSignIns(frontdoor: Server, apiKey: string, atRest: number, embedded: boolean): Promise<Row[]> {
  const created = await adminApi(frontdoor.url, apiKey, 'POST', '/api/v1/apps', {
    audience: 'users', type: 'jwt', slug: 'bench-jwt-memory', config: { remoteLoginUrl: 'https://www.example.com/sso' },
  });
  const people = 500;
  const bodies = Array.from({ length: SIGN_INS }, (_, i) => `jwt=${signToken(created.sharedSecret, i % people)}`);
  let next = 0;
  const result = await runLoad({
    url: `${frontdoor.url}/sso/bench-jwt-memory/jwt`, method: 'POST', connections: 8, seconds: 120, amount: SIGN_INS, serverPid: frontdoor.child.pid!,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, expectStatus: 303,
    setupRequest: (request) => ({ ...request, body: bodies[next++] ?? 'jwt=exhausted' }),
  });
  if (result.non2xx || result.errors) throw new Error(`memory: ${result.non2xx} unexpected answers, ${result.errors} errors`);
  // The goal is judged on the figure at once, garbage and all; the one after 30 s idle says how much of it was garbage.
  const after = rssMegabytesOf(frontdoor.child.pid!);
  const afterIdle = await idleRssMegabytesOf(frontdoor.child.pid!);
  const name = embedded ? 'embedded PGlite' : 'PostgreSQL server';
  return [
    { scenario: `${name}, at rest (30 s idle after an ordinary start)`, figure: 'resident memory', value: atRest, unit: 'MB', ...(embedded ? { goal: '≤ 200 MB', met: atRest <= 200 } : {}) },
    { scenario: `${name}, after ${SIGN_INS.toLocaleString('en')} JWT sign-ins (${people} people)`, figure: 'resident memory', value: after, unit: 'MB', ...(embedded ? { goal: '≤ 250 MB', met: after <= 250 } : {}) },
    { scenario: `${name}, the same, 30 s idle later`, figure: 'resident memory', value: afterIdle, unit: 'MB' },
  ];
}
