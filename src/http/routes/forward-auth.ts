import type { FastifyInstance } from 'fastify';
import { AudienceSchema, type Audience } from '../../core/audience.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { primaryEmail } from '../../core/people.ts';
import type { CheckedSession } from '../../core/session-check.ts';
import { parseInput } from '../../core/validation.ts';
import type { HttpContext } from '../context.ts';

/**
 * Forward auth for helpdesk apps behind a proxy (nginx auth_request, Traefik ForwardAuth):
 * 200 and who it is for a live session cookie, else 401. The audience defaults to `users`;
 * an agent app must ask for `?audience=agents`, so a User cookie can never pass for an Agent.
 */
// A proxy asks this on every request it forwards: a schema makes the answer's serialisation
// precompiled, and routine 200s/401s are not logged one by one (refusals still are, as warnings).
const SessionAnswer = {
  200: {
    type: 'object',
    properties: {
      audience: { type: 'string' },
      person: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, isAdmin: { type: 'boolean' } } },
      usergroups: { type: 'array', items: { type: 'string' } },
      session: { type: 'object', properties: { id: { type: 'string' }, idleExpiresAt: { type: 'string' }, absoluteExpiresAt: { type: 'string' } } },
    },
  },
};

export function registerForwardAuthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get<{ Querystring: { audience?: string } }>('/api/v1/session', { logLevel: 'warn', schema: { response: SessionAnswer } }, async (request, reply) => {
    const asked = request.query.audience ?? request.headers['x-frontdoor-audience'] ?? 'users';
    // The two valid answers skip the schema (this runs for every proxied request); anything else gets its precise refusal.
    const audience = asked === 'users' || asked === 'agents' ? asked : parseInput(AudienceSchema, asked);
    const signedIn = await ctx.signedIn(request, audience);
    if (!signedIn) throw new FrontdoorError('auth.required', `No valid ${audience} session.`);
    reply.headers(identityHeaders(audience, signedIn));
    return sessionAnswer(audience, signedIn);
  });
}

/** The answer's body, the same from this route and from the fast path (forward-auth-fast-path.ts). */
export function sessionAnswer(audience: Audience, { person, session }: CheckedSession) {
  return {
    audience,
    person: { id: person.id, name: person.name, email: primaryEmail(person), isAdmin: person.isAdmin },
    usergroups: audience === 'users' ? ['Everyone', 'Registered', ...person.usergroups.map((g) => g.name)] : [],
    session: { id: session.id, idleExpiresAt: session.idleExpiresAt, absoluteExpiresAt: session.absoluteExpiresAt },
  };
}

/** Who the proxy may pass on to the app, from the session only (never from the request's own headers). */
export function identityHeaders(audience: Audience, { person }: CheckedSession): Record<string, string> {
  return { 'x-frontdoor-person-id': person.id, 'x-frontdoor-audience': audience, 'x-frontdoor-email': primaryEmail(person) };
}
