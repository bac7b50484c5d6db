import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { accountCounts } from '../helpers/counts.ts';
import { claimsAt, errorCodeOf, rawToken, signingKeyPair, signToken, traceIdOf, type SigningKeyPair } from '../helpers/jwt.ts';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

const cli = { type: 'cli' } as const;
const remoteLoginUrl = 'https://www.example.com/login';

// Every attack: refused with its exact code, nothing created, an audit row, never a 5xx.
describe('JWT sign-in attacks', () => {
  let server: TestServer;
  const clock = new TestClock();
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => claimsAt(clock.now(), overrides);

  const usersSecret = generateJwtSharedSecret();
  const agentsSecret = generateJwtSharedSecret();
  let users: AuthApp; // HS256
  let agents: AuthApp; // HS256, Auto Agent
  let rsaApp: AuthApp; // RS256 with a pasted PEM
  let strictApp: AuthApp; // HS256 with iss and aud
  let jwksApp: AuthApp; // ES256 with a JWKS URL
  let rsa: SigningKeyPair;
  let ec: SigningKeyPair;
  let jwksServer: Server;
  let jwksFetches = 0;

  before(async () => {
    server = await startTestServer({ clock });
    const s = server.services;
    rsa = await signingKeyPair('RS256');
    ec = await signingKeyPair('ES256', 'site-key-1');
    jwksServer = createServer((_request, response) => {
      jwksFetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [ec.jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    users = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'site-users', config: { remoteLoginUrl, sharedSecret: usersSecret } }, cli);
    agents = await s.apps.create({ audience: 'agents', type: 'jwt', slug: 'site-agents', config: { remoteLoginUrl, sharedSecret: agentsSecret, autoAgent: true } }, cli);
    rsaApp = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'site-rsa', config: { remoteLoginUrl, algorithms: ['RS256'], publicKey: rsa.pem } }, cli);
    strictApp = await s.apps.create(
      { audience: 'users', type: 'jwt', slug: 'site-strict', config: { remoteLoginUrl, sharedSecret: usersSecret + 'x', issuer: 'https://www.example.com', audience: 'helpdesk-users' } }, cli,
    );
    jwksApp = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'site-jwks', config: { remoteLoginUrl, algorithms: ['ES256'], jwksUrl } }, cli);
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  const hs = (c: Record<string, unknown>, secret = usersSecret, header: Record<string, unknown> = {}) => signToken(c, secret, { alg: 'HS256', ...header });
  const hmac = (header: unknown, payload: unknown, key: string | Buffer, alg: 'sha256' | 'sha512' = 'sha256') => {
    const unsigned = rawToken(header, payload).slice(0, -1);
    return `${unsigned}.${createHmac(alg, key).update(unsigned).digest('base64url')}`;
  };

  /** Sends the token as the browser would, and asserts the refusal and everything around it. */
  async function refused(app: AuthApp, token: string, code: ErrorCode, options: { via?: 'POST' | 'GET'; check?: string } = {}): Promise<TestResponse> {
    const s = server.services;
    const before = await accountCounts(s.db);
    const auditBefore = (await s.audit.list({ action: 'signin.sso', outcome: 'failure', limit: 500 })).length;
    const client = server.client();
    const response =
      options.via === 'GET'
        ? await client.get(`/sso/${app.slug}/jwt?jwt=${encodeURIComponent(token)}`)
        : await client.postForm(`/sso/${app.slug}/jwt`, { jwt: token });
    assert.ok(response.status >= 400 && response.status < 500, `status ${response.status} for ${code}`);
    assert.equal(errorCodeOf(response), code, response.text.slice(0, 400));
    assert.equal(response.headers.getSetCookie().some((c) => c.includes('fd_session')), false, 'no session cookie');
    assert.deepEqual(await accountCounts(s.db), before, 'nothing created');
    const failures = await s.audit.list({ action: 'signin.sso', outcome: 'failure', limit: 500 });
    assert.equal(failures.length, auditBefore + 1, 'one audit row');
    assert.equal(failures[0]!.reason, code);
    assert.equal(failures[0]!.details.traceId, traceIdOf(response));
    const trace = await s.ssoTraces.require(traceIdOf(response)!);
    assert.equal(trace.outcome, 'failure');
    assert.equal(trace.errorCode, code);
    if (options.check) assert.equal(trace.failedCheck, options.check);
    return response;
  }

  it('refuses alg none in any case, with or without a signature', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await refused(users, rawToken({ alg, typ: 'JWT' }, claims()), 'sso.jwt.algorithm_not_allowed', { check: 'algorithm' });
      await refused(users, rawToken({ alg }, claims(), 'c2lnbmF0dXJl'), 'sso.jwt.algorithm_not_allowed', { via: 'GET' });
    }
    const response = await refused(rsaApp, rawToken({ alg: 'none' }, claims()), 'sso.jwt.algorithm_not_allowed');
    assert.match(response.text, /Unsigned tokens \(algorithm &quot;none&quot;\) are never accepted|Unsigned tokens \(algorithm "none"\) are never accepted/);
  });

  it('refuses HS256 signed with the RSA public key (key confusion), and any other algorithm than the allowed ones', async () => {
    const confused = hmac({ alg: 'HS256', typ: 'JWT' }, claims(), rsa.pem);
    const response = await refused(rsaApp, confused, 'sso.jwt.algorithm_not_allowed');
    assert.match(response.text, /Algorithm HS256 is not allowed for this app \(allowed: RS256\)/);
    // The same trick against an HMAC app simply does not verify.
    await refused(users, hmac({ alg: 'HS256' }, claims(), rsa.pem), 'sso.jwt.signature_invalid', { check: 'signature' });
    await refused(users, await signToken(claims(), usersSecret, { alg: 'HS512' }), 'sso.jwt.algorithm_not_allowed');
    await refused(users, await signToken(claims(), rsa.privateKey, { alg: 'RS256' }), 'sso.jwt.algorithm_not_allowed');
    await refused(rsaApp, await signToken(claims(), (await signingKeyPair('RS256')).privateKey, { alg: 'RS256' }), 'sso.jwt.signature_invalid');
  });

  it('refuses a tampered payload or header', async () => {
    const [header, , signature] = (await hs(claims({ email: 'pat@example.com' }))).split('.');
    const forgedPayload = Buffer.from(JSON.stringify(claims({ email: 'admin@example.com' }))).toString('base64url');
    await refused(users, `${header}.${forgedPayload}.${signature}`, 'sso.jwt.signature_invalid');
    const [, payload, sig] = (await hs(claims())).split('.');
    const forgedHeader = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'other' })).toString('base64url');
    await refused(users, `${forgedHeader}.${payload}.${sig}`, 'sso.jwt.signature_invalid');
    const rsaToken = await signToken(claims(), rsa.privateKey, { alg: 'RS256' });
    await refused(rsaApp, `${rsaToken.slice(0, -6)}AAAAAA`, 'sso.jwt.signature_invalid');
  });

  it("refuses another app's token: a Users app's token at the Agents app, and the reverse", async () => {
    await refused(agents, await hs(claims({ email: 'boss@example.com' })), 'sso.jwt.signature_invalid');
    await refused(users, await hs(claims(), agentsSecret), 'sso.jwt.signature_invalid');
    await refused(strictApp, await hs(claims({ iss: 'https://www.example.com', aud: 'helpdesk-users' })), 'sso.jwt.signature_invalid');
  });

  it('keeps Users and Agents apart when one key signs for both, by their audiences', async () => {
    const s = server.services;
    const shared = await signingKeyPair('EdDSA');
    const config = (audience: string) => ({ remoteLoginUrl, algorithms: ['EdDSA'], publicKey: shared.pem, audience, autoAgent: true });
    await s.apps.create({ audience: 'users', type: 'jwt', slug: 'shared-users', config: config('helpdesk-users') }, cli);
    const staff = await s.apps.create({ audience: 'agents', type: 'jwt', slug: 'shared-agents', config: config('helpdesk-agents') }, cli);
    const customerToken = await signToken(claims({ aud: 'helpdesk-users', email: 'customer@example.com' }), shared.privateKey, { alg: 'EdDSA' });
    await refused(staff, customerToken, 'sso.jwt.audience_mismatch', { check: 'aud' });
  });

  it('never lets kid, jku, x5u, jwk or x5c bring in a key', async () => {
    const attacker = await signingKeyPair('ES256', 'site-key-1');
    // kid tricks: path traversal to an empty file, SQL, a URL; signed with what such a kid would yield.
    await refused(users, hmac({ alg: 'HS256', kid: '../../../../../../dev/null' }, claims(), ''), 'sso.jwt.signature_invalid');
    await refused(users, hmac({ alg: 'HS256', kid: "x' UNION SELECT 'key" }, claims(), 'key'), 'sso.jwt.signature_invalid');
    await refused(users, await hs(claims(), 'https://evil.example/secret-of-32-bytes-or-more!!', { kid: 'https://evil.example/secret' }), 'sso.jwt.signature_invalid');
    // kid of the real key, signed by the attacker's key with the same kid: the JWKS key decides.
    await refused(jwksApp, await signToken(claims(), attacker.privateKey, { alg: 'ES256', kid: 'site-key-1' }), 'sso.jwt.signature_invalid', { check: 'signature' });
    await refused(jwksApp, await signToken(claims(), attacker.privateKey, { alg: 'ES256', kid: 'https://evil.example/jwks.json' }), 'sso.jwt.signature_invalid', { check: 'key_selection' });
    const fetchesBefore = jwksFetches;
    // Key-carrying headers are refused even on a token that the right key signed.
    const keyHeaders: Record<string, unknown>[] = [
      { jku: 'https://evil.example/jwks.json', kid: 'site-key-1' },
      { x5u: 'https://evil.example/cert.pem' },
      { jwk: attacker.jwk },
      { x5c: ['MIIBszCCAVmgAwIBAgIUQ=='] },
    ];
    for (const extra of keyHeaders) {
      await refused(jwksApp, await signToken(claims(), attacker.privateKey, { alg: 'ES256', ...extra }), 'sso.jwt.header_refused', { check: 'header' });
      await refused(jwksApp, await signToken(claims(), ec.privateKey, { alg: 'ES256', ...extra }), 'sso.jwt.header_refused');
      await refused(users, await hs(claims(), usersSecret, extra), 'sso.jwt.header_refused');
    }
    assert.equal(jwksFetches, fetchesBefore, 'no fetch anywhere because of a header');
    // And the honest token with the right kid is accepted.
    const ok = await server.client().postForm(`/sso/${jwksApp.slug}/jwt`, { jwt: await signToken(claims({ email: 'kid@example.com' }), ec.privateKey, { alg: 'ES256', kid: 'site-key-1' }) });
    assert.equal(ok.status, 303);
  });

  it('requires iat and keeps it within the window; honours exp and nbf', async () => {
    const now = nowSeconds();
    await refused(users, await hs(claims({ iat: undefined })), 'sso.jwt.claim_missing', { check: 'iat' });
    await refused(users, await hs(claims({ iat: now + 3600 })), 'sso.jwt.issued_in_future', { check: 'iat' });
    await refused(users, await hs(claims({ iat: now - 301 - 60 })), 'sso.jwt.too_old', { check: 'iat' });
    await refused(users, await hs(claims({ iat: 'yesterday' })), 'sso.jwt.claim_invalid', { check: 'iat' });
    const expired = await refused(users, await hs(claims({ exp: now - 300 })), 'sso.jwt.expired', { check: 'exp' });
    assert.match(expired.text, /The token expired 5 minutes ago: check the clock of the server that signs/);
    await refused(users, await hs(claims({ nbf: now + 600 })), 'sso.jwt.not_yet_valid', { check: 'nbf' });
  });

  it('requires a jti and an email', async () => {
    await refused(users, await hs(claims({ jti: undefined })), 'sso.jwt.claim_missing', { check: 'jti' });
    await refused(users, await hs(claims({ jti: 42 })), 'sso.jwt.claim_invalid', { check: 'jti' });
    await refused(users, await hs(claims({ jti: 'x'.repeat(256) })), 'sso.jwt.claim_invalid', { check: 'jti' });
    await refused(users, await hs(claims({ email: undefined })), 'sso.jwt.claim_missing', { check: 'email' });
    await refused(users, await hs(claims({ email: ['a@example.com'] })), 'sso.jwt.claim_missing', { check: 'email' });
    await refused(users, await hs(claims({ email: 'not an email' })), 'sso.jwt.claim_invalid', { check: 'email' });
  });

  it('uses a token once: the second use is refused', async () => {
    const token = await hs(claims({ email: 'once@example.com', external_id: 'once' }));
    const first = await server.client().postForm(`/sso/${users.slug}/jwt`, { jwt: token });
    assert.equal(first.status, 303);
    const response = await refused(users, token, 'sso.jwt.replayed', { check: 'jti_replay', via: 'GET' });
    assert.match(response.text, /This token was already used/);
    // Still refused as replayed at the last second of the window, and as too old after it.
    clock.advance((300 + 60) * 1000);
    await refused(users, token, 'sso.jwt.replayed');
    clock.advance(2000);
    await refused(users, token, 'sso.jwt.too_old');
    clock.advance(-(300 + 62) * 1000);
  });

  it('a reused token writes nothing, not even the identity\'s last use', async () => {
    const token = await hs(claims({ email: 'touch@example.com', external_id: 'touch' }));
    assert.equal((await server.client().postForm(`/sso/${users.slug}/jwt`, { jwt: token })).status, 303);
    const identity = async () =>
      (await server.services.db.query<{ last_used_at: Date; email: string }>('SELECT last_used_at, email FROM identities WHERE app_id = $1 AND subject = $2', [users.id, 'touch']))[0];
    const before = await identity();
    clock.advance(5000);
    await refused(users, token, 'sso.jwt.replayed', { check: 'jti_replay' });
    assert.deepEqual(await identity(), before);
    clock.advance(-5000);
  });

  it('uses a token once on the slower path too (an app whose sign-ins add usergroups)', async () => {
    const s = server.services;
    const group = await s.usergroups.create('Token holders');
    const grouped = await s.apps.create(
      { audience: 'users', type: 'jwt', slug: 'site-grouped', config: { remoteLoginUrl, sharedSecret: usersSecret, loginActions: { addUsergroupIds: [group.id] } } }, cli,
    );
    const token = await hs(claims({ email: 'grouped@example.com', external_id: 'grouped' }));
    assert.equal((await server.client().postForm(`/sso/${grouped.slug}/jwt`, { jwt: token })).status, 303);
    await refused(grouped, token, 'sso.jwt.replayed', { check: 'jti_replay' });
    const again = await hs(claims({ email: 'grouped@example.com', external_id: 'grouped' }));
    assert.equal((await server.client().postForm(`/sso/${grouped.slug}/jwt`, { jwt: again })).status, 303, 'a returning person with a new token');
    await refused(grouped, again, 'sso.jwt.replayed', { check: 'jti_replay' });
  });

  it('signs in exactly once when the same token arrives 20 times at once', async () => {
    const s = server.services;
    const before = await accountCounts(s.db);
    const token = await hs(claims({ email: 'race@example.com', external_id: 'race' }));
    const responses = await Promise.all(Array.from({ length: 20 }, () => server.client().postForm(`/sso/${users.slug}/jwt`, { jwt: token })));
    const statuses = responses.map((r) => r.status);
    assert.equal(statuses.filter((st) => st === 303).length, 1, String(statuses));
    assert.deepEqual(responses.filter((r) => r.status !== 303).map(errorCodeOf), Array(19).fill('sso.jwt.replayed'));
    const after = await accountCounts(s.db);
    assert.deepEqual(after, { people: before.people + 1, emails: before.emails + 1, identities: before.identities + 1, sessions: before.sessions + 1 });
  });

  it('also signs in exactly one account for 20 different tokens of one new person at once', async () => {
    const s = server.services;
    const before = await accountCounts(s.db);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => hs(claims({ email: 'crowd@example.com', external_id: 'crowd', jti: randomUUID() }))));
    const responses = await Promise.all(tokens.map((t) => server.client().postForm(`/sso/${users.slug}/jwt`, { jwt: t })));
    assert.deepEqual(responses.map((r) => r.status), Array(20).fill(303));
    const after = await accountCounts(s.db);
    assert.equal(after.people, before.people + 1);
    assert.equal(after.identities, before.identities + 1);
    assert.equal(after.sessions, before.sessions + 20);
  });

  it('checks iss and aud when configured', async () => {
    const secret = usersSecret + 'x';
    await refused(strictApp, await hs(claims({ iss: 'https://evil.example', aud: 'helpdesk-users' }), secret), 'sso.jwt.issuer_mismatch', { check: 'iss' });
    await refused(strictApp, await hs(claims({ iss: 'https://www.example.com', aud: 'helpdesk-agents' }), secret), 'sso.jwt.audience_mismatch', { check: 'aud' });
    await refused(strictApp, await hs(claims({ iss: 'https://www.example.com' }), secret), 'sso.jwt.claim_missing', { check: 'aud' });
    const ok = await server.client().postForm(`/sso/${strictApp.slug}/jwt`, { jwt: await hs(claims({ iss: 'https://www.example.com', aud: 'helpdesk-users', email: 'strict@example.com' }), secret) });
    assert.equal(ok.status, 303);
  });

  it('refuses malformed and oversized tokens', async () => {
    await refused(users, '', 'sso.jwt.missing');
    await refused(users, 'not-a-jwt', 'sso.jwt.malformed', { check: 'token_format' });
    await refused(users, 'a.b', 'sso.jwt.malformed');
    await refused(users, 'aaa.bbb.ccc.ddd.eee', 'sso.jwt.malformed');
    await refused(users, 'eyJ!.eyJ.sig', 'sso.jwt.malformed');
    await refused(users, `${Buffer.from('{"alg":').toString('base64url')}.e30.c2ln`, 'sso.jwt.malformed');
    await refused(users, rawToken(['HS256'], claims()), 'sso.jwt.malformed');
    await refused(users, rawToken({ alg: 42 }, claims()), 'sso.jwt.malformed');
    // Correctly signed, but the payload is not a JSON object.
    await refused(users, hmac({ alg: 'HS256' }, 'not json', usersSecret), 'sso.jwt.malformed');
    await refused(users, hmac({ alg: 'HS256' }, [1, 2], usersSecret), 'sso.jwt.malformed');
    await refused(users, hmac({ alg: 'HS256', crit: ['exp'], exp: 1 }, claims(), usersSecret), 'sso.jwt.malformed');
    await refused(users, hmac({ alg: 'HS256', b64: false, crit: ['b64'] }, claims(), usersSecret), 'sso.jwt.malformed');
    const huge = await hs(claims({ padding: 'x'.repeat(9000) }));
    await refused(users, huge, 'sso.jwt.too_large', { check: 'token_size' });
    await refused(users, huge, 'sso.jwt.too_large', { via: 'GET' });
    // A body past the server's limit is cut off before any route runs.
    const before = await accountCounts(server.services.db);
    const enormous = await server.client().postForm(`/sso/${users.slug}/jwt`, { jwt: 'x'.repeat(70_000) });
    assert.equal(enormous.status, 413);
    assert.equal(errorCodeOf(enormous), 'request.too_large');
    assert.deepEqual(await accountCounts(server.services.db), before);
    // No token at all, by either method.
    await refused(users, '   ', 'sso.jwt.missing');
    const noField = await server.client().postForm(`/sso/${users.slug}/jwt`, { token: await hs(claims()) });
    assert.equal(errorCodeOf(noField), 'sso.jwt.missing');
    const noQuery = await server.client().get(`/sso/${users.slug}/jwt`);
    assert.equal(errorCodeOf(noQuery), 'sso.jwt.missing');
    const twice = await server.client().get(`/sso/${users.slug}/jwt?jwt=a&jwt=b`);
    assert.equal(errorCodeOf(twice), 'sso.jwt.missing');
  });

  it('sends people home for every open-redirect form of return_to', async () => {
    const attempts = [
      'https://evil.example/',
      'http://evil.example',
      '//evil.example/path',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '\\/evil.example',
      '/\t/evil.example',
      '/%09/evil.example',
      ' //evil.example',
      'javascript:alert(document.cookie)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://localhost:8080.evil.example/',
      'http://localhost:8080@evil.example/',
      'http://evil.example#@localhost:8080/',
      'https://localhost:8080/',
      'http:evil.example',
      '/\r\nLocation: https://evil.example',
      'http://localhost:8080\\@evil.example/',
    ];
    for (const [index, returnTo] of attempts.entries()) {
      const token = await hs(claims({ email: `redir${index}@example.com`, external_id: `redir-${index}` }));
      const response =
        index % 2
          ? await server.client().postForm(`/sso/${users.slug}/jwt`, { jwt: token, return_to: returnTo })
          : await server.client().get(`/sso/${users.slug}/jwt?jwt=${token}&return_to=${encodeURIComponent(returnTo)}`);
      assert.equal(response.status, 303, returnTo);
      const location = response.location!;
      assert.ok(location === '/' || (location.startsWith('/') && !location.startsWith('//') && !location.includes('\\')), `${returnTo} -> ${location}`);
      assert.equal(new URL(location, 'http://localhost:8080').origin, 'http://localhost:8080', `${returnTo} -> ${location}`);
    }
    const own = await server.client().postForm(`/sso/${users.slug}/jwt`, { jwt: await hs(claims({ email: 'own@example.com' })), return_to: 'http://localhost:8080/articles/1' });
    assert.equal(own.location, '/articles/1');
  });
});
