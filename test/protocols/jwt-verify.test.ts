import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JwtConfigSchema, type JwtAppConfig } from '../../src/protocols/jwt/config.ts';
import { generateJwtSharedSecret, JwtKeySets, verificationKeyFor } from '../../src/protocols/jwt/keys.ts';
import { profileFromJwtClaims } from '../../src/protocols/jwt/profile.ts';
import { duration, verifySignInJwt } from '../../src/protocols/jwt/verify.ts';
import { rejectsWithCode } from '../helpers/assertions.ts';
import { claimsAt, signingKeyPair, signToken, type SigningKeyPair } from '../helpers/jwt.ts';
import { TestClock } from '../helpers/services.ts';

const remoteLoginUrl = 'https://www.example.com/login';
const config = (overrides: Record<string, unknown>): JwtAppConfig => JwtConfigSchema.parse({ remoteLoginUrl, ...overrides });

/** The replay store's contract (first use wins, until keepUntil), kept in memory for pure-function tests. */
function memoryReplay() {
  const seen = new Map<string, Date>();
  return {
    seen,
    firstUse: async (jti: string, keepUntil: Date) => {
      if (seen.has(jti)) return false;
      seen.set(jti, keepUntil);
      return true;
    },
  };
}

describe('JWT validation (pure)', () => {
  const secret = generateJwtSharedSecret();
  const clock = new TestClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  const keySets = new JwtKeySets();
  const hsConfig = config({ algorithms: ['HS256'], sharedSecret: secret });
  const verify = (token: string, cfg: JwtAppConfig = hsConfig, replay = memoryReplay(), now = clock.now()) =>
    verifySignInJwt(token, { config: cfg, key: verificationKeyFor(cfg, { sharedSecret: secret }, keySets, now), now, firstUse: replay.firstUse });

  it('generates shared secrets of 86 characters, different each time', () => {
    const a = generateJwtSharedSecret();
    assert.equal(a.length, 86);
    assert.notEqual(a, generateJwtSharedSecret());
  });

  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    it(`accepts ${alg} signed with the app's shared secret`, async () => {
      const cfg = config({ algorithms: [alg], sharedSecret: secret });
      const claims = claimsAt(clock.now());
      const result = await verify(await signToken(claims, secret, { alg, typ: 'JWT' }), cfg);
      assert.equal(result.jti, claims.jti);
      assert.equal(result.claims.email, 'pat@example.com');
      assert.equal(result.clockSkewMs, 0);
    });
  }

  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`accepts ${alg} with the signing site's public key pasted as PEM and as JWK`, async () => {
      const pair = await signingKeyPair(alg);
      for (const publicKey of [pair.pem, JSON.stringify(pair.jwk)]) {
        const cfg = config({ algorithms: [alg], publicKey });
        const result = await verify(await signToken(claimsAt(clock.now()), pair.privateKey, { alg }), cfg);
        assert.equal(result.claims.external_id, 'user-1');
      }
      const other = await signingKeyPair(alg);
      await rejectsWithCode(verify(await signToken(claimsAt(clock.now()), other.privateKey, { alg }), config({ algorithms: [alg], publicKey: pair.pem })), 'sso.jwt.signature_invalid');
    });
  }

  it('explains times in words, measured against the clock passed in', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const sign = (claims: Record<string, unknown>) => signToken(claimsAt(clock.now(), claims), secret, { alg: 'HS256' });
    await rejectsWithCode(verify(await sign({ exp: now - 300 })), 'sso.jwt.expired', (e) => {
      assert.equal(e.message.startsWith('The token expired 5 minutes ago: check the clock of the server that signs'), true, e.message);
    });
    await rejectsWithCode(verify(await sign({ iat: now + 600 })), 'sso.jwt.issued_in_future', (e) => assert.match(e.message, /issued 10 minutes in the future/));
    await rejectsWithCode(verify(await sign({ iat: now - 3600 })), 'sso.jwt.too_old', (e) => assert.match(e.message, /issued 60 minutes ago; tokens are accepted for 5 minutes after iat/));
    await rejectsWithCode(verify(await sign({ nbf: now + 120 })), 'sso.jwt.not_yet_valid', (e) => assert.match(e.message, /not valid for another 2 minutes/));
    await rejectsWithCode(verify(await sign({ iat: String(now) })), 'sso.jwt.claim_invalid', (e) => assert.equal(e.details?.check, 'iat'));
  });

  it('allows the clock tolerance (60 s by default) on iat, exp and nbf, and no more', async () => {
    assert.equal(hsConfig.clockToleranceSeconds, 60);
    assert.equal(hsConfig.maxTokenAgeSeconds, 300);
    const now = Math.floor(clock.now().getTime() / 1000);
    const sign = (claims: Record<string, unknown>) => signToken(claimsAt(clock.now(), claims), secret, { alg: 'HS256' });
    const ahead = await verify(await sign({ iat: now + 59, nbf: now + 59, exp: now - 59 }));
    assert.equal(ahead.clockSkewMs, -59_000);
    await verify(await sign({ iat: now - 300 - 59 }));
    await rejectsWithCode(verify(await sign({ iat: now + 61 })), 'sso.jwt.issued_in_future');
    await rejectsWithCode(verify(await sign({ iat: now - 300 - 61 })), 'sso.jwt.too_old');
    await rejectsWithCode(verify(await sign({ exp: now - 61 })), 'sso.jwt.expired');
    await rejectsWithCode(verify(await sign({ nbf: now + 61 })), 'sso.jwt.not_yet_valid');
  });

  it('uses a jti once and remembers it past the last moment the token could be accepted', async () => {
    const replay = memoryReplay();
    const claims = claimsAt(clock.now());
    const token = await signToken(claims, secret, { alg: 'HS256' });
    await verify(token, hsConfig, replay);
    await rejectsWithCode(verify(token, hsConfig, replay), 'sso.jwt.replayed', (e) => assert.match(e.message, /^This token was already used/));
    const keepUntil = replay.seen.get(String(claims.jti))!.getTime();
    const lastAccepted = (Number(claims.iat) + hsConfig.maxTokenAgeSeconds + hsConfig.clockToleranceSeconds) * 1000;
    assert.ok(keepUntil > lastAccepted, `kept until ${keepUntil}, window ends ${lastAccepted}`);
  });

  it('checks iss and aud only when configured, and then exactly', async () => {
    const cfg = config({ algorithms: ['HS256'], sharedSecret: secret, issuer: 'https://www.example.com', audience: 'frontdoor-users' });
    const sign = (claims: Record<string, unknown>) => signToken(claimsAt(clock.now(), claims), secret, { alg: 'HS256' });
    await verify(await sign({ iss: 'https://www.example.com', aud: ['other', 'frontdoor-users'] }), cfg);
    await rejectsWithCode(verify(await sign({ iss: 'https://evil.example', aud: 'frontdoor-users' }), cfg), 'sso.jwt.issuer_mismatch');
    await rejectsWithCode(verify(await sign({ iss: 'https://www.example.com', aud: 'frontdoor-agents' }), cfg), 'sso.jwt.audience_mismatch');
    await rejectsWithCode(verify(await sign({ aud: 'frontdoor-users' }), cfg), 'sso.jwt.claim_missing', (e) => assert.equal(e.details?.check, 'iss'));
    await verify(await sign({ iss: 'anything', aud: 'anything' }));
  });

  it('says which algorithm is refused and which are allowed', async () => {
    const token = await signToken(claimsAt(clock.now()), secret, { alg: 'HS512' });
    await rejectsWithCode(verify(token), 'sso.jwt.algorithm_not_allowed', (e) => {
      assert.equal(e.message, 'Algorithm HS512 is not allowed for this app (allowed: HS256).');
    });
  });

  it('words durations for people', () => {
    assert.deepEqual([duration(1), duration(45), duration(300), duration(7300), duration(200_000)], ['1 second', '45 seconds', '5 minutes', '2 hours', '2 days']);
  });
});

describe('JWT claims to a profile', () => {
  const cfg = config({ algorithms: ['HS256'], sharedSecret: generateJwtSharedSecret() });

  it('keys the identity on external_id, else id, else sub, else the email', () => {
    const base = { email: 'Pat@Example.com', iss: 'https://www.example.com' };
    assert.equal(profileFromJwtClaims(cfg, { ...base, external_id: 'e-1', id: 'i-1', sub: 's-1' }).subject, 'e-1');
    assert.equal(profileFromJwtClaims(cfg, { ...base, id: 4711, sub: 's-1' }).subject, '4711');
    assert.equal(profileFromJwtClaims(cfg, { ...base, sub: 's-1' }).subject, 's-1');
    assert.equal(profileFromJwtClaims(cfg, { ...base, external_id: { not: 'an id' } }).subject, 'Pat@Example.com');
    const custom = config({ algorithms: ['HS256'], sharedSecret: generateJwtSharedSecret(), claims: { externalId: 'customer_number', email: 'mail' } });
    const profile = profileFromJwtClaims(custom, { mail: 'a@example.com', customer_number: 'C-9', external_id: 'ignored-first' });
    assert.equal(profile.subject, 'C-9');
    assert.equal(profile.email, 'a@example.com');
  });

  it('takes the name, or first and last name; trusts the email; reads groups or tags', () => {
    const one = profileFromJwtClaims(cfg, { email: 'a@example.com', first_name: 'Ada', last_name: 'Lovelace', tags: 'vip, beta,,vip' });
    assert.equal(one.name, 'Ada Lovelace');
    assert.equal(one.emailVerified, true);
    assert.deepEqual(one.groups, ['vip', 'beta']);
    assert.equal(one.usergroupNames, undefined, 'mapGroups is off by default');
    const mapping = config({ algorithms: ['HS256'], sharedSecret: generateJwtSharedSecret(), mapGroups: true });
    const two = profileFromJwtClaims(mapping, { email: 'a@example.com', name: 'Ada L.', groups: ['Gold customers', 7], tags: 'ignored' });
    assert.equal(two.name, 'Ada L.');
    assert.deepEqual(two.usergroupNames, ['Gold customers']);
  });
});

describe('JWKS keys with rotation (real HTTP JWKS server)', () => {
  let server: Server;
  let url: string;
  let published: SigningKeyPair[] = [];
  let fetches = 0;
  let first: SigningKeyPair;
  let second: SigningKeyPair;

  before(async () => {
    first = await signingKeyPair('ES256', 'key-2026-01');
    second = await signingKeyPair('ES256', 'key-2026-02');
    published = [first];
    server = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('follows the signing site to a new key after the cooldown, and drops the old one', async () => {
    const clock = new TestClock(Date.UTC(2026, 1, 1, 9, 0, 0));
    const keySets = new JwtKeySets({ cooldownSeconds: 30 });
    const cfg = config({ algorithms: ['ES256'], jwksUrl: url });
    const replay = memoryReplay();
    const verify = async (pair: SigningKeyPair) => {
      const now = clock.now();
      const token = await signToken(claimsAt(now), pair.privateKey, { alg: 'ES256', kid: pair.jwk.kid });
      return verifySignInJwt(token, { config: cfg, key: verificationKeyFor(cfg, {}, keySets, now), now, firstUse: replay.firstUse });
    };

    await verify(first);
    assert.equal(fetches, 1);
    await verify(first);
    assert.equal(fetches, 1, 'cached');

    published = [first, second];
    // Within the cooldown an unknown kid does not make us fetch again.
    await rejectsWithCode(verify(second), 'sso.jwt.signature_invalid', (e) => assert.equal(e.details?.check, 'key_selection'));
    assert.equal(fetches, 1);
    clock.advance(31_000);
    await verify(second);
    assert.equal(fetches, 2, 're-fetched once for the new kid');

    // During the rotation both keys are published: a token without kid is tried against both.
    const noKid = await signToken(claimsAt(clock.now()), second.privateKey, { alg: 'ES256' });
    const now = clock.now();
    const verified = await verifySignInJwt(noKid, { config: cfg, key: verificationKeyFor(cfg, {}, keySets, now), now, firstUse: replay.firstUse });
    assert.equal(verified.claims.email, 'pat@example.com');

    published = [second];
    clock.advance(31_000);
    await verify(second);
    const attacker = await signingKeyPair('ES256', 'key-2026-01');
    await rejectsWithCode(verify(attacker), 'sso.jwt.signature_invalid', (e) => assert.equal(e.details?.check, 'signature'));
  });

  it('reports a JWKS that answers an error or no JSON as key_unavailable', async () => {
    const broken = createServer((request, response) => {
      if (request.url === '/500') response.writeHead(500).end('oops');
      else if (request.url === '/redirect') response.writeHead(302, { location: url }).end();
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const pair = await signingKeyPair('ES256', 'k');
      for (const path of ['/500', '/html', '/redirect']) {
        const clock = new TestClock();
        const cfg = config({ algorithms: ['ES256'], jwksUrl: `http://127.0.0.1:${(broken.address() as AddressInfo).port}${path}` });
        const token = await signToken(claimsAt(clock.now()), pair.privateKey, { alg: 'ES256', kid: 'k' });
        await rejectsWithCode(
          verifySignInJwt(token, { config: cfg, key: verificationKeyFor(cfg, {}, new JwtKeySets(), clock.now()), now: clock.now(), firstUse: memoryReplay().firstUse }),
          'sso.jwt.key_unavailable',
          (e) => assert.equal(e.details?.check, 'jwks', path),
        );
      }
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });

  it('reports an unreachable JWKS as key_unavailable', async () => {
    const clock = new TestClock();
    const cfg = config({ algorithms: ['RS256'], jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    const pair = await signingKeyPair('RS256', 'k');
    const token = await signToken(claimsAt(clock.now()), pair.privateKey, { alg: 'RS256', kid: 'k' });
    await rejectsWithCode(
      verifySignInJwt(token, { config: cfg, key: verificationKeyFor(cfg, {}, new JwtKeySets({ timeoutMs: 2000 }), clock.now()), now: clock.now(), firstUse: memoryReplay().firstUse }),
      'sso.jwt.key_unavailable',
    );
  });
});
