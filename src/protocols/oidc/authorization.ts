import * as client from 'openid-client';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { oidcSettingsOf } from './presets.ts';

export type OidcAuthorizationStart = { url: URL; state: string; secrets: { codeVerifier: string; nonce: string } };

/** The authorization request: code flow with PKCE S256, `state` and `nonce` (OIDC Core 3.1.2.1). */
export async function startOidcAuthorization(
  configuration: client.Configuration,
  app: AuthApp,
  redirectUri: string,
): Promise<OidcAuthorizationStart> {
  const settings = oidcSettingsOf(app);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parameters: Record<string, string> = {
    // The preset's own first, so that none can replace a standard one.
    ...settings.authorizationParameters,
    redirect_uri: redirectUri,
    scope: settings.scopes.join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  return { url: client.buildAuthorizationUrl(configuration, parameters), state, secrets: { codeVerifier, nonce } };
}

export type OidcAuthorizationResult = {
  claims: Record<string, unknown>;
  idToken: string;
  /** Seconds between the provider's `iat` and our clock, for the trace. */
  clockSkewMs: number;
};

/**
 * Exchanges the code and validates the ID token as OIDC Core 3.1.3.7 requires (issuer,
 * audience, azp, signature, nonce, exp/iat within tolerance); openid-client does the checks,
 * we name the one that failed. Fetches userinfo when the ID token lacks the email.
 */
export async function completeOidcAuthorization(
  configuration: client.Configuration,
  callbackUrl: URL,
  checks: { state: string; codeVerifier: string; nonce: string; emailClaim: string; now: Date; clockToleranceSeconds: number },
): Promise<OidcAuthorizationResult> {
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw withMeasuredSkew(withClientAuthMethod(classifyOidcError(error), configuration), error, checks.now);
  }
  const idTokenClaims = tokens.claims();
  if (!idTokenClaims || !tokens.id_token) {
    throw new FrontdoorError('sso.token_invalid', 'The identity service sent no ID token.', { check: 'id_token_present' });
  }
  checkIssuedAt(idTokenClaims.iat, checks.now, checks.clockToleranceSeconds);
  let claims: Record<string, unknown> = { ...idTokenClaims };
  if (claims[checks.emailClaim] === undefined && configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
    try {
      const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idTokenClaims.sub);
      // The ID token's claims win over userinfo's: they are the signed ones.
      claims = { ...userinfo, ...claims };
    } catch (error) {
      throw classifyOidcError(error, 'userinfo');
    }
  }
  return {
    claims,
    idToken: tokens.id_token,
    clockSkewMs: typeof idTokenClaims.iat === 'number' ? checks.now.getTime() - idTokenClaims.iat * 1000 : 0,
  };
}

/**
 * An ID token issued in the future (beyond the tolerance) means one of the clocks is wrong or
 * the token was minted ahead for later use; OIDC Core 3.1.3.7 (10) leaves `iat` to the client,
 * and openid-client checks only its type, so the check is ours.
 */
/** A refusal at the token endpoint names the client authentication it refused: the admin's first question. */
function withClientAuthMethod(refusal: FrontdoorError, configuration: client.Configuration): FrontdoorError {
  const method = configuration.clientMetadata().token_endpoint_auth_method;
  if (refusal.failedCheck !== 'token_endpoint' || typeof method !== 'string') return refusal;
  return new FrontdoorError(refusal.code, refusal.message, { ...refusal.details, detail: `${refusal.internalDetail ?? ''} (client authentication ${method})` });
}

/** A token refused for its times carries its `iat`: the trace shows how far apart the clocks were. */
function withMeasuredSkew(refusal: FrontdoorError, error: unknown, now: Date): FrontdoorError {
  const iat = (innerOidcError(error).cause as { claims?: { iat?: unknown } } | undefined)?.claims?.iat;
  if (typeof iat !== 'number' || refusal.clockSkewMs !== undefined) return refusal;
  return new FrontdoorError(refusal.code, refusal.message, { ...refusal.details, clockSkewMs: now.getTime() - iat * 1000 });
}

function checkIssuedAt(iat: number, now: Date, toleranceSeconds: number): void {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (iat > nowSeconds + toleranceSeconds) {
    const refusal = invalidToken('issued_at', `the ID token was issued ${iat - nowSeconds} s in the future (tolerance ${toleranceSeconds} s)`);
    throw new FrontdoorError(refusal.code, refusal.message, { ...refusal.details, clockSkewMs: now.getTime() - iat * 1000 });
  }
}

const CLAIM_CHECKS: Record<string, string> = { iss: 'issuer', aud: 'audience', azp: 'audience', nonce: 'nonce', sub: 'subject' };
const TIME_CHECKS: Record<string, string> = { exp: 'expiry', iat: 'issued_at', nbf: 'not_before', auth_time: 'auth_time' };

/** Maps an openid-client failure to our error code, with the check that failed in `details.check`. */
export function classifyOidcError(error: unknown, stage = 'token'): FrontdoorError {
  if (error instanceof FrontdoorError) return error;
  const e = error as { name?: string; code?: string; message?: string; error?: string; error_description?: string; cause?: { claim?: string } };
  if (error instanceof client.AuthorizationResponseError) {
    const oauthError = e.error ?? 'error';
    if (oauthError === 'access_denied') {
      return new FrontdoorError('sso.cancelled', 'Sign-in was cancelled or refused at the identity service.', { check: 'authorization_response', detail: e.error_description ?? oauthError });
    }
    return new FrontdoorError('sso.provider_error', 'The identity service reported an error.', { check: 'authorization_response', detail: `${oauthError}: ${e.error_description ?? ''}` });
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    // The provider refused our client credentials (a wrong or rotated secret): the admin's to fix.
    return new FrontdoorError('sso.provider_error', 'The identity service refused this site’s credentials. The helpdesk has to fix the sign-in setup.', {
      check: `${stage}_endpoint`, detail: `client authentication refused (HTTP ${(error as { status?: number }).status ?? '?'})`,
    });
  }
  if (error instanceof client.ResponseBodyError) {
    // At the token endpoint, invalid_grant means this code was used before, has expired or
    // does not match our PKCE verifier: a replayed or stale callback, not a provider fault.
    if (stage === 'token' && e.error === 'invalid_grant') {
      return new FrontdoorError('sso.code_invalid', 'This sign-in link was already used or has expired. Please start again.', {
        check: 'authorization_code', detail: `${e.error}: ${e.error_description ?? ''}`,
      });
    }
    return new FrontdoorError('sso.provider_error', 'The identity service refused the sign-in.', { check: `${stage}_endpoint`, detail: `${e.error}: ${e.error_description ?? ''}` });
  }
  const inner = innerOidcError(error) as { message?: string; cause?: { claim?: string } };
  const detail = inner.message ?? e.message;
  const claim = inner.cause?.claim ?? /"(\w+)" \(/.exec(detail ?? '')?.[1];
  if (e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    return invalidToken(CLAIM_CHECKS[claim ?? ''] ?? `claim_${claim ?? 'unknown'}`, detail);
  }
  if (e.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return invalidToken(TIME_CHECKS[claim ?? ''] ?? 'time', detail);
  if (/signature/i.test(detail ?? '') || e.code === 'OAUTH_KEY_SELECTION_FAILED' || e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
    return invalidToken('signature', detail);
  }
  if (/"alg"|unsecured|unsigned/i.test(detail ?? '')) return invalidToken('algorithm', detail);
  // A required claim that is missing (`JWT "nonce" (nonce) claim missing`) is named by the check
  // it fails, as a wrong value is: an admin reading the trace must see `nonce`, not `id_token`.
  const missing = e.code === 'OAUTH_INVALID_RESPONSE' && claim ? (CLAIM_CHECKS[claim] ?? TIME_CHECKS[claim]) : undefined;
  if (missing) return invalidToken(missing, detail);
  if (e.code === 'OAUTH_INVALID_RESPONSE' || e.code === 'OAUTH_PARSE_ERROR' || e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
    return invalidToken(stage === 'userinfo' ? 'userinfo' : 'id_token', detail);
  }
  return new FrontdoorError('sso.provider_error', 'The identity service could not be reached or answered something unexpected.', {
    check: stage === 'userinfo' ? 'userinfo' : 'provider_reachable', detail,
  });
}

/**
 * openid-client wraps oauth4webapi's error (whose message and `cause` say what failed: the
 * claim, the claims, our now) in a ClientError with a generic message: the inner one.
 */
function innerOidcError(error: unknown): { message?: string; cause?: unknown } {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return (cause instanceof Error ? cause : error) as { message?: string; cause?: unknown };
}

function invalidToken(check: string, detail: string | undefined): FrontdoorError {
  return new FrontdoorError('sso.token_invalid', 'The identity service’s answer did not pass our security checks.', { check, detail });
}
