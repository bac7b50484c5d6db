import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, UnsecuredJWT, type CryptoKey, type JWTPayload, type JWTVerifyOptions, type ProtectedHeaderParameters } from 'jose';
import type { JwtAppConfig } from './config.ts';
import { FrontdoorError, type ErrorCode } from '../../core/errors.ts';
import { EmailSchema } from '../../core/validation.ts';
import { HMAC_HASHES, HmacSecret, type JwtVerificationKey } from './keys.ts';

/** Longer than any honest sign-in token (a few hundred bytes); refused before parsing. */
export const MAX_JWT_LENGTH = 8192;
const MAX_JTI_LENGTH = 255;
// Header parameters that name or carry a key. Frontdoor only uses the app's configured keys,
// so a token carrying one is either confused or an attack (RFC 8725 3.10): refused outright.
const KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type JwtCheckInput = {
  config: JwtAppConfig;
  key: JwtVerificationKey;
  now: Date;
  /**
   * The replay store: true the first time this jti is seen for the app, until keepUntil. Or
   * 'caller-uses-up': the caller uses the jti up itself (in its first write, see
   * VerifiedJwt.singleUseUntil) and refuses a reuse with jwtReplayRefusal. Never absent. (An
   * admin's pasted token, token-check.ts, passes a lookup that reads the store and writes nothing.)
   */
  firstUse: ((jti: string, keepUntil: Date) => Promise<boolean>) | 'caller-uses-up';
};

export type VerifiedJwt = {
  claims: Record<string, unknown>;
  jti: string;
  clockSkewMs: number;
  /** Until when the jti must be remembered: iat + maxTokenAge + tolerance, with margin. */
  singleUseUntil: Date;
};

/** The refusal of a token whose jti was used before. */
export function jwtReplayRefusal(jti: string, claims: Record<string, unknown>): JwtRefusal {
  return refuse(
    'sso.jwt.replayed',
    'This token was already used. Sign a new token, with a new jti, for every sign-in.',
    'jti_replay',
    `jti ${jti}`,
    claims,
  );
}

/** A refused token: `claims` is set only once the signature has been verified. */
export type JwtRefusal = FrontdoorError;

function refuse(code: ErrorCode, message: string, check: string, detail?: string, claims?: Record<string, unknown>): JwtRefusal {
  return new FrontdoorError(code, message, { check, ...(detail ? { detail } : {}) }, { claims });
}

/**
 * Validates a sign-in JWT from the app's signing site, in this order: size and shape; the
 * header (`alg` on the allowlist, never `none`, no key-carrying headers); the signature with
 * the configured key; iss, aud, iat (required, not in the future, not older than
 * maxTokenAge), exp and nbf, all with the clock tolerance; jti (required, single use via the
 * replay store, remembered past the acceptance window). Each refusal has a stable code and
 * a message an integrator can act on.
 */
export async function verifySignInJwt(token: unknown, input: JwtCheckInput): Promise<VerifiedJwt> {
  const { config, now } = input;
  if (typeof token !== 'string' || token.trim() === '') {
    throw refuse('sso.jwt.missing', 'No token arrived: send it as the form field "jwt" (POST) or the query parameter "jwt" (GET).', 'token_present');
  }
  if (token.length > MAX_JWT_LENGTH) {
    throw refuse('sso.jwt.too_large', `The token is ${token.length} characters long; at most ${MAX_JWT_LENGTH} are accepted. Put fewer claims in it.`, 'token_size');
  }
  if (!COMPACT_JWS.test(token)) {
    throw refuse('sso.jwt.malformed', 'This is not a signed JWT (three base64url parts separated by dots; encrypted tokens are not accepted).', 'token_format');
  }
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch (error) {
    throw refuse('sso.jwt.malformed', 'The token header is not valid base64url-encoded JSON.', 'token_format', (error as Error).message);
  }
  checkHeader(header, config);

  const tolerance = config.clockToleranceSeconds;
  let payload: JWTPayload;
  try {
    ({ payload } = await verifySignatureAndClaims(token, header, input.key, {
      algorithms: config.algorithms,
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: tolerance,
      currentDate: now,
      maxTokenAge: config.maxTokenAgeSeconds,
      requiredClaims: ['iat', 'jti'],
    }));
  } catch (error) {
    throw explainJoseError(error, header, config, now);
  }
  const claims = payload as Record<string, unknown>;
  const iat = payload.iat!;
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw refuse('sso.jwt.claim_invalid', `The jti claim must be a unique string of 1 to ${MAX_JTI_LENGTH} characters.`, 'jti', undefined, claims);
  }
  const email = claims[config.claims.email];
  if (typeof email !== 'string' || email.trim() === '') {
    throw refuse('sso.jwt.claim_missing', `The token has no "${config.claims.email}" claim: Frontdoor needs the person's email.`, 'email', undefined, claims);
  }
  if (!EmailSchema.safeParse(email).success) {
    throw refuse('sso.jwt.claim_invalid', `The "${config.claims.email}" claim is not an email address.`, 'email', undefined, claims);
  }
  // Remembered past the last moment this token could be accepted (iat + maxTokenAge +
  // tolerance), with margin, so a replay is refused for as long as the token is otherwise good.
  const lastAcceptedSeconds = Math.max(iat, now.getTime() / 1000) + config.maxTokenAgeSeconds + 2 * tolerance;
  const singleUseUntil = new Date((lastAcceptedSeconds + 60) * 1000);
  if (typeof input.firstUse === 'function' && !(await input.firstUse(jti, singleUseUntil))) throw jwtReplayRefusal(jti, claims);
  return { claims, jti, clockSkewMs: now.getTime() - iat * 1000, singleUseUntil };
}

async function verifySignatureAndClaims(token: string, header: ProtectedHeaderParameters, key: JwtVerificationKey, options: JWTVerifyOptions) {
  if (!(key instanceof HmacSecret)) return verifyWithCandidates(token, key, options);
  const hash = HMAC_HASHES[header.alg ?? '']?.node;
  // Anything but a plain HS256/384/512 header (`crit`, `b64`: RFC 7797) is jose's to judge.
  if (!hash || 'crit' in header || 'b64' in header) return verifyWithCandidates(token, key.cryptoKeyFor, options);
  return { payload: verifyHmacThenClaims(token, hash, key.bytes, options) };
}

// The header UnsecuredJWT.decode expects; the real header was checked above (checkHeader).
const UNSECURED_HEADER = Buffer.from('{"alg":"none"}').toString('base64url');

/**
 * RFC 7515 5.2 for an HMAC token, with node:crypto's HMAC: synchronous, a few microseconds,
 * where WebCrypto's (what jose uses) is a thread-pool round trip costing twenty times the CPU
 * on a JWT sign-in's hot path. The comparison is constant-time. Only a payload whose MAC
 * verified is then read, and its claims are checked by jose itself: UnsecuredJWT.decode runs
 * the very validateClaimsSet that jwtVerify runs, with the same options and error classes.
 */
function verifyHmacThenClaims(token: string, hash: string, secret: Buffer, options: JWTVerifyOptions): JWTPayload {
  const lastDot = token.lastIndexOf('.');
  const signingInput = token.slice(0, lastDot);
  const expected = createHmac(hash, secret).update(signingInput).digest();
  const presented = Buffer.from(token.slice(lastDot + 1), 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw new errors.JWSSignatureVerificationFailed();
  const encodedPayload = signingInput.slice(signingInput.indexOf('.') + 1);
  return UnsecuredJWT.decode(`${UNSECURED_HEADER}.${encodedPayload}.`, options).payload;
}

// A JWKS may hold several keys that fit a token without `kid` (during a rotation): jose then
// hands over the candidates, and the one whose signature verifies wins.
async function verifyWithCandidates(token: string, key: JwtVerificationKey, options: JWTVerifyOptions) {
  try {
    return await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], options);
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error as unknown as AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, candidate, options);
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function checkHeader(header: ProtectedHeaderParameters, config: JwtAppConfig): void {
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === '') {
    throw refuse('sso.jwt.malformed', 'The token header has no "alg".', 'algorithm');
  }
  if (alg.toLowerCase() === 'none') {
    throw refuse('sso.jwt.algorithm_not_allowed', 'Unsigned tokens (algorithm "none") are never accepted: sign the token.', 'algorithm', `alg ${alg}`);
  }
  if (!(config.algorithms as string[]).includes(alg)) {
    throw refuse(
      'sso.jwt.algorithm_not_allowed',
      `Algorithm ${alg.slice(0, 20)} is not allowed for this app (allowed: ${config.algorithms.join(', ')}).`,
      'algorithm',
      `alg ${alg.slice(0, 40)}`,
    );
  }
  const keyHeader = KEY_HEADERS.find((name) => name in header);
  if (keyHeader) {
    throw refuse(
      'sso.jwt.header_refused',
      `The token header carries "${keyHeader}". Frontdoor only uses the key configured for this app: remove "${keyHeader}" from the header.`,
      'header',
      `header ${keyHeader}`,
    );
  }
}

function explainJoseError(error: unknown, header: ProtectedHeaderParameters, config: JwtAppConfig, now: Date): FrontdoorError {
  if (error instanceof FrontdoorError) return error;
  const kid = typeof header.kid === 'string' ? header.kid.slice(0, 100) : undefined;
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse(
      'sso.jwt.signature_invalid',
      'The signature does not match: the token was signed with another key or secret than this app\'s, or changed after signing.',
      'signature',
      `alg ${header.alg}${kid ? `, kid ${kid}` : ''}`,
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse(
      'sso.jwt.signature_invalid',
      kid ? `No key with kid "${kid}" for ${header.alg} is in this app's key set.` : `This app's key set has no ${header.alg} key.`,
      'key_selection',
      error.message,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
    return explainClaimError(error, config, now);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return refuse('sso.jwt.algorithm_not_allowed', `Algorithm ${header.alg} is not allowed for this app.`, 'algorithm');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return refuse('sso.jwt.malformed', 'The token could not be read as a signed JWT.', 'token_format', (error as Error).message);
  }
  return refuse('sso.jwt.malformed', 'The token could not be read as a signed JWT.', 'token_format', (error as Error)?.message);
}

function explainClaimError(error: errors.JWTClaimValidationFailed | errors.JWTExpired, config: JwtAppConfig, now: Date): FrontdoorError {
  const claims = error.payload as Record<string, unknown>;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const claim = error.claim;
  const at = (value: unknown) => (typeof value === 'number' ? value : nowSeconds);
  if (error.reason === 'missing') {
    const why: Record<string, string> = {
      iat: 'Frontdoor needs it to limit how old a token can be',
      jti: 'a unique id per token, so that each token is used once',
      iss: `this app expects the issuer "${config.issuer}"`,
      aud: `this app expects the audience "${config.audience}"`,
    };
    return refuse('sso.jwt.claim_missing', `The token has no "${claim}" claim: ${why[claim] ?? 'it is required'}.`, claim, undefined, claims);
  }
  if (error.reason === 'invalid') {
    return refuse('sso.jwt.claim_invalid', `The "${claim}" claim must be a number of seconds since 1970 (NumericDate).`, claim, undefined, claims);
  }
  switch (claim) {
    case 'exp':
      return refuse(
        'sso.jwt.expired',
        `The token expired ${duration(nowSeconds - at(claims.exp))} ago: check the clock of the server that signs, and send the token at once.`,
        'exp', `exp ${claims.exp}, now ${nowSeconds}`, claims,
      );
    case 'nbf':
      return refuse(
        'sso.jwt.not_yet_valid',
        `The token is not valid for another ${duration(at(claims.nbf) - nowSeconds)} (nbf): check the clock of the server that signs.`,
        'nbf', `nbf ${claims.nbf}, now ${nowSeconds}`, claims,
      );
    case 'iat': {
      const age = nowSeconds - at(claims.iat);
      return age < 0
        ? refuse(
            'sso.jwt.issued_in_future',
            `The token was issued ${duration(-age)} in the future (iat): check the clock of the server that signs.`,
            'iat', `iat ${claims.iat}, now ${nowSeconds}`, claims,
          )
        : refuse(
            'sso.jwt.too_old',
            `The token was issued ${duration(age)} ago; tokens are accepted for ${duration(config.maxTokenAgeSeconds)} after iat. Sign it just before redirecting, and check the clock of the server that signs.`,
            'iat', `iat ${claims.iat}, now ${nowSeconds}`, claims,
          );
    }
    case 'iss':
      return refuse('sso.jwt.issuer_mismatch', `The token's issuer (iss) is not the one this app expects ("${config.issuer}").`, 'iss', `iss ${String(claims.iss).slice(0, 200)}`, claims);
    case 'aud':
      return refuse('sso.jwt.audience_mismatch', `The token's audience (aud) does not include the one this app expects ("${config.audience}").`, 'aud', `aud ${JSON.stringify(claims.aud)?.slice(0, 200)}`, claims);
    default:
      return refuse('sso.jwt.claim_invalid', `The "${claim}" claim is not valid.`, claim, error.message, claims);
  }
}

/** "5 minutes", "40 seconds", "2 hours": what an integrator reads in an error. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (s < 120) return unit(s, 'second');
  if (s < 7200) return unit(Math.round(s / 60), 'minute');
  if (s < 172_800) return unit(Math.round(s / 3600), 'hour');
  return unit(Math.round(s / 86_400), 'day');
}
