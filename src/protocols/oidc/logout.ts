import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { FrontdoorError } from '../../core/errors.ts';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the provider's
 * end_session_endpoint with id_token_hint, or undefined when it has none.
 */
export function providerLogoutUrl(
  configuration: client.Configuration,
  input: { idToken?: string | undefined; postLogoutRedirectUri?: string | undefined },
): URL | undefined {
  if (!configuration.serverMetadata().end_session_endpoint) return undefined;
  const parameters: Record<string, string> = { client_id: configuration.clientMetadata().client_id };
  if (input.idToken) parameters.id_token_hint = input.idToken;
  if (input.postLogoutRedirectUri) parameters.post_logout_redirect_uri = input.postLogoutRedirectUri;
  return client.buildEndSessionUrl(configuration, parameters);
}

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export type LogoutTokenClaims = { sub?: string | undefined; sid?: string | undefined; jti: string; exp: number };

const jwksByUri = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Validates a back-channel logout token (OpenID Connect Back-Channel Logout 1.0, 2.6):
 * signature against the provider's JWKS, iss, aud, iat, an events claim with the
 * back-channel member, sub or sid, a jti, and no nonce. Replay is the caller's check.
 */
export async function verifyLogoutToken(
  configuration: client.Configuration,
  token: string,
  options: { clockToleranceSeconds: number; now: Date },
): Promise<LogoutTokenClaims> {
  const server = configuration.serverMetadata();
  if (!server.jwks_uri) throw logoutTokenInvalid('the provider publishes no JWKS');
  let jwks = jwksByUri.get(server.jwks_uri);
  if (!jwks) jwksByUri.set(server.jwks_uri, (jwks = createRemoteJWKSet(new URL(server.jwks_uri))));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwks, {
      issuer: server.issuer,
      audience: configuration.clientMetadata().client_id,
      algorithms: server.id_token_signing_alg_values_supported?.filter((alg) => alg !== 'none') ?? ['RS256'],
      clockTolerance: options.clockToleranceSeconds,
      currentDate: options.now,
      requiredClaims: ['iat', 'jti', 'events'],
      typ: undefined,
    }));
  } catch (error) {
    throw logoutTokenInvalid((error as Error).message);
  }
  const events = payload.events as Record<string, unknown> | undefined;
  if (!events || typeof events !== 'object' || typeof events[BACKCHANNEL_EVENT] !== 'object') throw logoutTokenInvalid('no back-channel logout event');
  if ('nonce' in payload) throw logoutTokenInvalid('a logout token must not carry a nonce');
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
  if (!sub && !sid) throw logoutTokenInvalid('neither sub nor sid');
  return { sub, sid, jti: String(payload.jti), exp: typeof payload.exp === 'number' ? payload.exp : Math.floor(options.now.getTime() / 1000) + 300 };
}

function logoutTokenInvalid(detail: string): FrontdoorError {
  return new FrontdoorError('sso.logout_token_invalid', 'The logout token is not valid.', { check: 'logout_token', detail });
}
