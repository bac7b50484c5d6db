import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, URL- and cookie-safe. */
export function newToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Tokens are stored only as their SHA-256: a stolen table does not contain usable tokens. */
export function hashToken(token: string): Buffer {
  // The one-shot hash: no Hash object per call (the session check hashes on every request).
  return hash('sha256', token, 'buffer');
}

/** The token's SHA-256 as text, for in-memory maps: neither the token itself nor a lossy decoding of its hash. */
export function tokenKey(token: string): string {
  return hash('sha256', token, 'base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
