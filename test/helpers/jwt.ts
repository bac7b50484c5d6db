import { randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { TestResponse } from './server.ts';

export type SigningKeyPair = { alg: 'RS256' | 'ES256' | 'EdDSA'; privateKey: CryptoKey; publicKey: CryptoKey; pem: string; jwk: Record<string, unknown> };

/** A fresh key pair of the signing site, exported as the admin would paste it (PEM) or publish it (JWK). */
export async function signingKeyPair(alg: SigningKeyPair['alg'], kid?: string): Promise<SigningKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = { ...(await exportJWK(publicKey)), alg, use: 'sig', ...(kid ? { kid } : {}) } as Record<string, unknown>;
  return { alg, privateKey, publicKey, pem: await exportSPKI(publicKey), jwk };
}

/** The claims a signing site sends, at the moment `now` (seconds from the test clock). */
export function claimsAt(now: Date, overrides: Record<string, unknown> = {}): JWTPayload {
  return { iat: Math.floor(now.getTime() / 1000), jti: randomUUID(), email: 'pat@example.com', name: 'Pat Example', external_id: 'user-1', ...overrides };
}

/** Signs like an integrator does: jose's SignJWT with the given header and key (HMAC secret text or private key). */
export async function signToken(
  claims: JWTPayload,
  key: string | Uint8Array | CryptoKey,
  header: Record<string, unknown> & { alg: string },
): Promise<string> {
  const material = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(material);
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token assembled by hand, for headers and signatures no honest library would produce. */
export function rawToken(header: unknown, payload: unknown, signature = ''): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** The stable error code on one of our error pages (or in a JSON error). */
export function errorCodeOf(response: TestResponse): string | undefined {
  if (response.json?.error?.code) return response.json.error.code;
  return /Error <code>([^<]+)<\/code>/.exec(response.text)?.[1];
}

export function traceIdOf(response: TestResponse): string | undefined {
  return /trace <code>([^<]+)<\/code>/.exec(response.text)?.[1];
}
