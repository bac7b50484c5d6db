import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base32Decode, base32Encode, matchingTotpSteps, otpauthUri, totpCode, totpStep } from '../../../src/core/credentials/totp.ts';
import { checkPasswordRules, commonPasswords } from '../../../src/core/credentials/password-rules.ts';

// RFC 6238 appendix B, SHA-1 secret; our codes are the last 6 of its 8 digits.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC test vectors', () => {
    for (const [seconds, expected] of RFC_VECTORS) {
      assert.equal(totpCode(RFC_SECRET, new Date(seconds * 1000)), expected.slice(-6), `T=${seconds}`);
    }
  });

  it('accepts one step of drift either way and nothing further; refuses malformed codes', () => {
    const at = new Date(1_700_000_000_000);
    const now = totpStep(at);
    for (const offset of [-1, 0, 1]) {
      const code = totpCode(RFC_SECRET, new Date(at.getTime() + offset * 30_000));
      assert.ok(matchingTotpSteps(RFC_SECRET, code, at).includes(now + offset), `offset ${offset}`);
    }
    const far = totpCode(RFC_SECRET, new Date(at.getTime() + 5 * 30_000));
    assert.deepEqual(matchingTotpSteps(RFC_SECRET, far, at).filter((s) => s === now + 5), []);
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456']) assert.deepEqual(matchingTotpSteps(RFC_SECRET, bad, at), []);
  });

  it('base32 round-trips (RFC 4648) and the otpauth URI carries the key and issuer', () => {
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    assert.deepEqual(base32Decode('mzxw 6ytb-oi'), Buffer.from('foobar'));
    const uri = new URL(otpauthUri({ secret: RFC_SECRET, issuer: 'help.example.com', account: 'ann@example.com' }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), base32Encode(RFC_SECRET));
    assert.equal(uri.searchParams.get('issuer'), 'help.example.com');
  });
});

describe('password rules', () => {
  it('ships at least the top 10,000 common passwords and refuses them case-insensitively', () => {
    assert.ok(commonPasswords().size >= 10_000);
    for (const common of ['password', '12345678', 'iloveyou', 'Sunshine1', 'QWERTY123']) {
      assert.throws(() => checkPasswordRules(common), { code: /password\.(too_common|too_short)/ });
    }
    assert.throws(() => checkPasswordRules('baseball'), { code: 'password.too_common' });
    checkPasswordRules('correct horse battery');
    assert.throws(() => checkPasswordRules('correct horse', 14), { code: 'password.too_short' });
    assert.throws(() => checkPasswordRules('x'.repeat(257)), { code: 'password.too_long' });
  });
});
