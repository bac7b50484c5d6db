import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Audience } from '../core/audience.ts';
import type { CheckedSession } from '../core/session-check.ts';
import type { Services } from '../core/services.ts';
import { sessionCookieName } from './cookies.ts';
import { identityHeaders, sessionAnswer } from './routes/forward-auth.ts';
import { securityHeaders } from './security-headers.ts';

// The forward-auth requests this path answers: the route with no query, or with the audience
// and nothing else. Anything else (other parameters, several audiences) goes to the route,
// which answers or refuses it precisely.
const PLAIN_REQUESTS = new Map<string, Audience | 'from-header'>([
  ['/api/v1/session', 'from-header'],
  ['/api/v1/session?audience=users', 'users'],
  ['/api/v1/session?audience=agents', 'agents'],
]);

/**
 * Forward auth's everyday answer, before Fastify: a proxy asks GET /api/v1/session on every
 * request it forwards, and for a live session whose answer the session check already holds,
 * Fastify's routing, hooks and reply cost about as much again as the answer itself. This
 * answers only that case, with the very same status, headers and body as the route
 * (sessionAnswer, identityHeaders, the security headers); everything else goes to Fastify
 * untouched: no cookie, a cookie the cache does not hold (the route asks the database and
 * fills the cache), any refusal (answered and logged by the route), any other method, path,
 * parameter or encoding. Returns true when it answered.
 */
export function createForwardAuthFastPath(services: Services): (request: IncomingMessage, response: ServerResponse) => boolean {
  const cookieNames = { users: sessionCookieName('users', services.config), agents: sessionCookieName('agents', services.config) };
  const headersForAll = securityHeaders({ https: services.config.secureCookies });
  // The answer for a held session is the same every time: its headers and body are built once
  // per cached answer, which belongs to one cookie of one audience (the cache's own object is
  // the key, so they go when it goes).
  const built = new WeakMap<CheckedSession, { head: Record<string, string | number>; body: string }>();
  const answerFor = (audience: Audience, checked: CheckedSession) => {
    let answer = built.get(checked);
    if (!answer) {
      const body = JSON.stringify(sessionAnswer(audience, checked));
      const head = { ...headersForAll, ...identityHeaders(audience, checked), 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
      built.set(checked, (answer = { head, body }));
    }
    return answer;
  };
  return (request, response) => {
    if (request.method !== 'GET') return false;
    const asked = PLAIN_REQUESTS.get(request.url ?? '');
    if (!asked) return false;
    const header = request.headers['x-frontdoor-audience'];
    const audience = asked !== 'from-header' ? asked : header === undefined ? 'users' : header === 'users' || header === 'agents' ? header : undefined;
    if (!audience) return false;
    const token = cookieValue(request.headers.cookie, cookieNames[audience]);
    if (!token) return false;
    const checked = services.sessionCheck.cached(token, audience);
    if (!checked) return false;
    const { head, body } = answerFor(audience, checked);
    response.writeHead(200, head);
    response.end(body);
    return true;
  };
}

/**
 * The first cookie of that name, as @fastify/cookie would read it; undefined when absent or
 * percent-encoded (our tokens never are, so such a value goes to the route's own parser).
 */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0 || part.slice(0, equals).trim() !== name) continue;
    const value = part.slice(equals + 1).trim();
    return value.includes('%') || value.startsWith('"') ? undefined : value;
  }
  return undefined;
}
