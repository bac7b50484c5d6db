import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Audience } from '../core/audience.ts';
import type { Person } from '../core/people.ts';
import type { Services } from '../core/services.ts';
import type { Session } from '../core/sessions.ts';
import { readSessionCookie } from './cookies.ts';
import { CsrfProtection } from './csrf.ts';
import { OidcConfigurations } from '../protocols/oidc/provider-config.ts';
import { IdpMetadataCache } from '../protocols/saml/idp-metadata.ts';

/** What every route module gets: the domain core and the HTTP-level helpers. */
export type HttpContext = {
  services: Services;
  csrf: CsrfProtection;
  /** Discovery cache of OIDC apps, per process. */
  oidc: OidcConfigurations;
  /** IdP metadata of SAML apps, per process. */
  samlIdps: IdpMetadataCache;
  signedIn(request: FastifyRequest, audience: Audience): Promise<SignedInPerson | undefined>;
};

export type SignedInPerson = { session: Session; person: Person; token: string };

export function createHttpContext(services: Services, options: { oidcPresetIssuers?: ReadonlyMap<string, string> } = {}): HttpContext {
  const cache = new WeakMap<FastifyRequest, Map<Audience, Promise<SignedInPerson | undefined>>>();
  const lookUp = async (request: FastifyRequest, audience: Audience): Promise<SignedInPerson | undefined> => {
    const token = readSessionCookie(request, services.config, audience);
    if (!token) return undefined;
    const checked = await services.sessionCheck.check(token, audience);
    return checked && { ...checked, token };
  };
  return {
    services,
    csrf: new CsrfProtection(services.csrfKey, services.config),
    oidc: new OidcConfigurations({ presetIssuers: options.oidcPresetIssuers }),
    samlIdps: new IdpMetadataCache(),
    signedIn(request, audience) {
      let perRequest = cache.get(request);
      if (!perRequest) cache.set(request, (perRequest = new Map()));
      let found = perRequest.get(audience);
      if (!found) perRequest.set(audience, (found = lookUp(request, audience)));
      return found;
    },
  };
}

/** Where a redirect to sign-in should bring the visitor back to. */
export function requestedPath(request: FastifyRequest): string {
  return request.url;
}

export function redirectSeeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}
