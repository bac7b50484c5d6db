import type { FastifyInstance } from 'fastify';
import { FrontdoorError } from '../../core/errors.ts';
import type { HttpContext } from '../context.ts';

/**
 * The SSO entry points. Each protocol (OIDC, SAML, JWT) plugs in here; until one is
 * installed for an app's type, starting it answers a clear 501 instead of a dead end.
 */
export function registerSsoRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get<{ Params: { app: string } }>('/sso/:app/start', async (request) => {
    const found = await ctx.services.apps.find(request.params.app);
    if (!found || !found.enabled || found.type === 'password') {
      throw new FrontdoorError('sso.app_unavailable', 'This sign-in method does not exist or is turned off.');
    }
    throw new FrontdoorError('sso.protocol_unavailable', `Sign-in with ${found.name} (${found.type}) is not available in this version of Frontdoor.`);
  });
}
