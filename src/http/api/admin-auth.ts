import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../core/audit.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { HttpContext } from '../context.ts';

export type AdminPrincipal = { actor: Actor; personId: string | null };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The admin API accepts an admin Agent's session cookie or an API key
 * (`Authorization: Bearer fdk_...`). Cookie-authenticated changes also need the CSRF
 * header, since a browser sends the cookie with cross-site requests too.
 */
export async function requireAdmin(ctx: HttpContext, request: FastifyRequest): Promise<AdminPrincipal> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer (\S+)$/.exec(authorization);
    const apiKey = match ? await ctx.services.apiKeys.authenticate(match[1]!) : undefined;
    if (!apiKey) throw new FrontdoorError('auth.required', 'The API key is missing, malformed, revoked or unknown.');
    return { actor: { type: 'api_key', id: apiKey.id }, personId: null };
  }
  const agent = await ctx.signedIn(request, 'agents');
  if (!agent) {
    if (await ctx.signedIn(request, 'users')) {
      throw new FrontdoorError('auth.wrong_audience', 'A Help Center session cannot use the admin API; sign in as an admin agent.');
    }
    throw new FrontdoorError('auth.required', 'Sign in as an admin agent, or send an API key.');
  }
  if (!agent.person.isAdmin) throw new FrontdoorError('auth.forbidden', 'Only admins can use the admin API.');
  if (!SAFE_METHODS.has(request.method)) ctx.csrf.verify(request);
  return { actor: { type: 'person', id: agent.person.id }, personId: agent.person.id };
}
