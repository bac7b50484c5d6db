import { createPublicKey, randomBytes, webcrypto, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { isHmacAlgorithm, type JwtAppConfig } from './config.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { ImportedKeys } from '../../core/imported-keys.ts';

/** What verifies an app's tokens: its shared secret, its pasted public key, or its JWKS. */
export type JwtVerificationKey = HmacSecret | KeyObject | JWTVerifyGetKey;

/**
 * An app's shared secret, for HS256/384/512. Its bytes feed node:crypto's HMAC for the
 * everyday token (verify.ts); `cryptoKeyFor` hands jose a WebCrypto key for the rest.
 */
export class HmacSecret {
  readonly bytes: Buffer;
  readonly cryptoKeyFor: JWTVerifyGetKey;

  constructor(secret: string) {
    this.bytes = Buffer.from(secret, 'utf8');
    this.cryptoKeyFor = hmacKeyFor(secret);
  }
}

/**
 * A new shared secret: 64 random bytes as base64url (86 characters). Integrators use the
 * text itself as the HMAC key, and its 86 bytes are enough for HS512 (RFC 7518 3.2).
 */
export function generateJwtSharedSecret(): string {
  return randomBytes(64).toString('base64url');
}

/**
 * The key for an app, from its configuration only. Nothing in a token's header (`jku`,
 * `x5u`, `jwk`, `x5c`, `kid`) can bring in a key from elsewhere: a `kid` only chooses among
 * the keys of the app's own JWKS.
 */
export function verificationKeyFor(config: JwtAppConfig, secrets: Record<string, unknown>, keySets: JwtKeySets, now: Date): JwtVerificationKey {
  if (config.algorithms.some(isHmacAlgorithm)) {
    const secret = secrets.sharedSecret;
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new FrontdoorError('sso.jwt.key_unavailable', 'This app has no shared secret yet. An admin must generate one.', { check: 'key' });
    }
    return hmacSecrets.get(secret, () => new HmacSecret(secret));
  }
  if (config.publicKey) {
    const text = config.publicKey;
    return publicKeys.get(text, () =>
      text.trimStart().startsWith('{') ? createPublicKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' }) : createPublicKey(text),
    );
  }
  if (config.jwksUrl) return keySets.resolverFor(config.jwksUrl, now);
  throw new FrontdoorError('sso.jwt.key_unavailable', 'This app has no key to check tokens with. An admin must configure one.', { check: 'key' });
}

// A token is checked with a key object made once per key (see ImportedKeys).
const publicKeys = new ImportedKeys<KeyObject>();
const hmacSecrets = new ImportedKeys<HmacSecret>();
// HMAC keys as WebCrypto keys, one per secret and algorithm: jose verifies with a CryptoKey
// directly, where a KeyObject or raw bytes are converted again for every token.
const hmacKeys = new ImportedKeys<Promise<CryptoKey>>();
/** The hash of each HMAC algorithm, as node:crypto and as WebCrypto name it. */
export const HMAC_HASHES: Readonly<Record<string, { node: string; webCrypto: string }>> = {
  HS256: { node: 'sha256', webCrypto: 'SHA-256' },
  HS384: { node: 'sha384', webCrypto: 'SHA-384' },
  HS512: { node: 'sha512', webCrypto: 'SHA-512' },
};

function hmacKeyFor(secret: string): JWTVerifyGetKey {
  return (header) => {
    const hash = HMAC_HASHES[header.alg ?? '']?.webCrypto;
    // The header was checked against the app's algorithms before; this only picks the hash.
    if (!hash) throw new errors.JOSEAlgNotAllowed(`${header.alg} is not an HMAC algorithm`);
    return hmacKeys.get(`${header.alg}:${secret}`, () =>
      webcrypto.subtle.importKey('raw', Buffer.from(secret, 'utf8'), { name: 'HMAC', hash }, false, ['verify']),
    );
  };
}

type RemoteSet = { jwks: ReturnType<typeof createRemoteJWKSet>; lastReloadMs: number };

/**
 * The JWKS of each app that uses one, cached per process. A token whose `kid` is not in the
 * cached set triggers one re-fetch (the signing site rotated its keys), at most once per
 * cooldown, measured on the clock passed in, so random `kid`s cannot make us hammer the
 * signing site.
 */
export class JwtKeySets {
  readonly #sets = new Map<string, RemoteSet>();
  readonly #cooldownMs: number;
  readonly #timeoutMs: number;

  constructor(options: { cooldownSeconds?: number; timeoutMs?: number } = {}) {
    this.#cooldownMs = (options.cooldownSeconds ?? 30) * 1000;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  resolverFor(url: string, now: Date): JWTVerifyGetKey {
    let set = this.#sets.get(url);
    if (!set) {
      // jose's own cooldown is switched off (a day): ours below uses the injected clock.
      const jwks = createRemoteJWKSet(new URL(url), { cooldownDuration: 86_400_000, cacheMaxAge: 600_000, timeoutDuration: this.#timeoutMs });
      set = { jwks, lastReloadMs: now.getTime() };
      this.#sets.set(url, set);
    }
    const entry = set;
    return async (header, token) => {
      try {
        try {
          return await entry.jwks(header, token);
        } catch (error) {
          if (!(error instanceof errors.JWKSNoMatchingKey) || now.getTime() - entry.lastReloadMs < this.#cooldownMs) throw error;
          entry.lastReloadMs = now.getTime();
          await entry.jwks.reload();
          return await entry.jwks(header, token);
        }
      } catch (error) {
        // No key for this token is the token's problem; anything else (network, timeout, not
        // 200, not a JWKS) is the signing site's key set being unavailable.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
        throw new FrontdoorError('sso.jwt.key_unavailable', "The signing site's key set (JWKS) could not be fetched or read. Please try again in a moment.", {
          check: 'jwks', detail: (error as Error)?.message,
        });
      }
    };
  }
}
