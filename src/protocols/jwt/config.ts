import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { externalShape, serviceUrl, storedConfigOf } from '../../core/app-config.ts';
import type { AuthApp } from '../../core/apps.ts';

// The config of a JWT app (docs/JWT.md): where people sign in, and the keys their tokens are checked with.

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
const HS_KEY_BYTES: Partial<Record<JwtAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };
export const isHmacAlgorithm = (alg: string) => alg in HS_KEY_BYTES;

const claimName = z.string().trim().min(1).max(100);
export const JWT_DEFAULT_CLAIMS = {
  email: 'email', name: 'name', firstName: 'first_name', lastName: 'last_name', externalId: 'external_id', groups: 'groups',
};
const jwtClaims = z
  .object({
    email: claimName.default('email'),
    name: claimName.default('name'),
    firstName: claimName.default('first_name'),
    lastName: claimName.default('last_name'),
    /** The identity claim; `id`, then `sub`, then the email are used when it is absent. */
    externalId: claimName.default('external_id'),
    /** Usergroup names; `tags` is read when it is absent. */
    groups: claimName.default('groups'),
  })
  .strict();

/**
 * Which keys can verify the allowed algorithms. One app is either HMAC or public-key, never
 * both: a verifier that accepts HS256 and RS256 for one app can be handed an HS256 token
 * whose HMAC key is the (public) RSA key (the classic key-confusion attack).
 */
function checkJwtKeys(
  config: { algorithms: JwtAlgorithm[]; sharedSecret?: string | undefined; publicKey?: string | undefined; jwksUrl?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  const hmac = config.algorithms.filter(isHmacAlgorithm);
  const asymmetric = config.algorithms.filter((alg) => !isHmacAlgorithm(alg));
  if (hmac.length && asymmetric.length) {
    ctx.addIssue({
      code: 'custom', path: ['algorithms'],
      message: `mixes shared-secret (${hmac.join(', ')}) and public-key (${asymmetric.join(', ')}) algorithms; choose one kind (key confusion)`,
    });
    return;
  }
  if (hmac.length) {
    if (!config.sharedSecret) {
      ctx.addIssue({ code: 'custom', path: ['sharedSecret'], message: `${hmac.join(', ')} needs a shared secret: generate one with POST /api/v1/apps/{id}/jwt-secret` });
      return;
    }
    // RFC 7518 section 3.2: the HMAC key is at least as long as the hash output.
    const needed = Math.max(...hmac.map((alg) => HS_KEY_BYTES[alg]!));
    if (Buffer.byteLength(config.sharedSecret, 'utf8') < needed) {
      ctx.addIssue({ code: 'custom', path: ['sharedSecret'], message: `must be at least ${needed} bytes for ${hmac.join(', ')}` });
    }
    return;
  }
  if (config.publicKey && config.jwksUrl) {
    ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'give publicKey or jwksUrl, not both' });
    return;
  }
  if (!config.publicKey && !config.jwksUrl) {
    ctx.addIssue({ code: 'custom', path: ['publicKey'], message: `${asymmetric.join(', ')} needs the signing site's publicKey (PEM or JWK) or its jwksUrl` });
    return;
  }
  if (config.publicKey) {
    const problem = publicKeyProblem(config.publicKey, asymmetric);
    if (problem) ctx.addIssue({ code: 'custom', path: ['publicKey'], message: problem });
  }
}

/** Why this pasted key cannot verify these algorithms, or undefined when it can. */
export function publicKeyProblem(text: string, algorithms: readonly string[]): string | undefined {
  let key: KeyObject;
  try {
    if (/PRIVATE KEY/.test(text)) return 'is a private key: paste the public key only, and keep the private key on the signing server';
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as Record<string, unknown>;
      if ('d' in jwk || 'k' in jwk) return 'is a private or secret JWK: paste the public key only';
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } else {
      if (!/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY)-----/.test(text)) return 'must be a PEM public key (-----BEGIN PUBLIC KEY-----) or a JWK';
      key = createPublicKey(text);
    }
  } catch {
    return 'could not be read as a PEM public key or a JWK';
  }
  for (const alg of algorithms) {
    const fits =
      alg === 'RS256' ? key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
      : alg === 'ES256' ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      : alg === 'EdDSA' ? key.asymmetricKeyType === 'ed25519'
      : false;
    if (!fits) {
      const wanted = alg === 'RS256' ? 'an RSA key of at least 2048 bits' : alg === 'ES256' ? 'an EC P-256 key' : 'an Ed25519 key';
      return `cannot verify ${alg}: it needs ${wanted}, this is ${key.asymmetricKeyType ?? 'another kind of'} key`;
    }
  }
  return undefined;
}

/** What a saved JWT app's config is read with (its shared secret already split off). */
export const JwtStoredSchema = z.object({
  /** Where people who need to sign in are sent, with `return_to`. */
  remoteLoginUrl: serviceUrl,
  algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['HS256']),
  /** HS256/384/512: generated by Frontdoor (POST /api/v1/apps/:id/jwt-secret), shown once. */
  sharedSecret: z.string().max(1000).refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes').optional(),
  /** RS256/ES256/EdDSA: the signing site's public key, as PEM (SPKI) or a JWK. */
  publicKey: z.string().trim().min(1).max(20_000).optional(),
  /** RS256/ES256/EdDSA: the signing site's JWKS, fetched and re-fetched when it rotates keys. */
  jwksUrl: serviceUrl.optional(),
  /** Checked when set: the token's `iss` must equal it. */
  issuer: z.string().trim().min(1).max(1000).optional(),
  /** Checked when set: the token's `aud` must contain it. */
  audience: z.string().trim().min(1).max(1000).optional(),
  claims: jwtClaims.default(JWT_DEFAULT_CLAIMS),
  /** Add people to the custom usergroups their `groups` (or `tags`) claim names. */
  mapGroups: z.boolean().default(false),
  /** How long after its `iat` a token is accepted (plus the clock tolerance). */
  maxTokenAgeSeconds: z.number().int().min(10).max(3600).default(300),
  ...externalShape,
  // Signing sites are ordinary web servers, often without disciplined NTP.
  clockToleranceSeconds: z.number().int().min(0).max(300).default(60),
});
export type JwtAppConfig = z.output<typeof JwtStoredSchema>;

/** The schema a new or edited JWT app is validated with (secrets included). */
export const JwtConfigSchema = JwtStoredSchema.strict().superRefine(checkJwtKeys);

/** A saved JWT app's config, read once. */
export const jwtConfigOf = (app: Pick<AuthApp, 'config'>): JwtAppConfig => storedConfigOf(app, JwtStoredSchema);
