import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashToken, newToken, tokenKey } from '../../src/core/tokens.ts';

// Sessions are found by their token's SHA-256 (in the database, and as the in-memory key of
// the session check). The key must be the whole hash as text: the hash's bytes read as UTF-8
// (what a template string did) turn most bytes above 0x7f into one replacement character.
describe('token hashes', () => {
  it('hashToken is the SHA-256 of the token', () => {
    const token = newToken();
    assert.deepEqual(hashToken(token), createHash('sha256').update(token, 'utf8').digest());
  });

  it('tokenKey is the whole hash, base64url, and tells tokens apart where a UTF-8 reading would not', () => {
    const tokens = Array.from({ length: 2000 }, () => newToken());
    for (const token of tokens.slice(0, 50)) assert.equal(tokenKey(token), hashToken(token).toString('base64url'));
    assert.equal(new Set(tokens.map(tokenKey)).size, tokens.length);
    // Two different hashes whose UTF-8 readings are equal: tokenKey keeps them apart.
    const a = Buffer.from('ff'.repeat(32), 'hex');
    const b = Buffer.from('fe'.repeat(32), 'hex');
    assert.equal(a.toString(), b.toString());
    assert.notEqual(a.toString('base64url'), b.toString('base64url'));
  });
});
