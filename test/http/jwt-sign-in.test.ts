import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import type { Audience } from '../../src/core/audience.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { accountCounts } from '../helpers/counts.ts';
import { claimsAt, errorCodeOf, signingKeyPair, signToken, traceIdOf, type SigningKeyPair } from '../helpers/jwt.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { buildServer } from '../../src/http/server.ts';
import { TestClock, testServices } from '../helpers/services.ts';

const cli = { type: 'cli' } as const;
const remoteLoginUrl = 'https://www.example.com/sso/frontdoor?brand=acme';
const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'EdDSA'] as const;
type Alg = (typeof ALGORITHMS)[number];

/** An installed JWT app and how its signing site signs. */
type Signer = { app: AuthApp; sign(claims: Record<string, unknown>): Promise<string> };

describe('JWT sign-in over HTTP', () => {
  let server: TestServer;
  const clock = new TestClock();
  let apiKey: string;
  const signers = new Map<string, Signer>();
  const claims = (overrides: Record<string, unknown> = {}) => claimsAt(clock.now(), overrides);

  async function install(audience: Audience, alg: Alg, extra: Record<string, unknown> = {}, slug = `jwt-${audience}-${alg.toLowerCase()}`): Promise<Signer> {
    if (alg.startsWith('HS')) {
      const secret = generateJwtSharedSecret();
      const app = await server.services.apps.create(
        { audience, type: 'jwt', slug, config: { remoteLoginUrl, algorithms: [alg], sharedSecret: secret, ...extra } }, cli,
      );
      return { app, sign: (c) => signToken(c, secret, { alg, typ: 'JWT' }) };
    }
    const pair: SigningKeyPair = await signingKeyPair(alg as SigningKeyPair['alg']);
    const publicKey = alg === 'ES256' ? JSON.stringify(pair.jwk) : pair.pem;
    const app = await server.services.apps.create({ audience, type: 'jwt', slug, config: { remoteLoginUrl, algorithms: [alg], publicKey, ...extra } }, cli);
    return { app, sign: (c) => signToken(c, pair.privateKey, { alg }) };
  }

  const post = (client: TestClient, app: AuthApp, token: string, fields: Record<string, string> = {}) =>
    client.postForm(`/sso/${app.slug}/jwt`, { jwt: token, ...fields });

  before(async () => {
    server = await startTestServer({ clock });
    apiKey = (await server.services.apiKeys.create('tests', null)).key;
    for (const audience of ['users', 'agents'] as const) {
      for (const alg of ALGORITHMS) signers.set(`${audience}:${alg}`, await install(audience, alg, audience === 'agents' ? { autoAgent: true } : {}));
    }
  });
  after(async () => {
    await server.close();
  });

  for (const audience of ['users', 'agents'] as const) {
    for (const alg of ALGORITHMS) {
      for (const method of ['POST', 'GET'] as const) {
        it(`signs ${audience} in with ${alg} through ${method}, on the page they wanted`, async () => {
          const { app, sign } = signers.get(`${audience}:${alg}`)!;
          const email = `${audience}.${alg}.${method}@example.com`.toLowerCase();
          const token = await sign(claims({ email, external_id: `${alg}-${method}`, name: `${alg} ${method}` }));
          const landing = audience === 'users' ? '/?from=jwt' : '/agent';
          const client = server.client();
          const response =
            method === 'POST'
              ? await post(client, app, token, { return_to: landing })
              : await client.get(`/sso/${app.slug}/jwt?jwt=${encodeURIComponent(token)}&return_to=${encodeURIComponent(landing)}`);
          assert.equal(response.status, 303, response.text);
          assert.equal(response.location, landing);
          const page = await client.get(audience === 'users' ? '/' : '/agent');
          assert.equal(page.status, 200);
          assert.match(page.text, new RegExp(`Signed in as ${email.replace(/\./g, '\\.')}`));
          const found = await server.services.people.findForSignIn(audience, email);
          assert.equal(found?.person.audience, audience);
          assert.deepEqual(found?.person.identities, [{ appId: app.id, subject: `${alg}-${method}` }]);
          // The JWT app asserts the email; an Agents app trusts that only with trustEmail on (off by default).
          assert.equal(found?.person.emails[0]!.verified, audience === 'users', 'the JWT app asserts the email');
          // The other audience's door is still closed to this browser (invariant 2).
          const other = await client.get(audience === 'users' ? '/agent' : '/account');
          assert.notEqual(other.status, 200);
        });
      }
    }
  }

  it('returns to the page named in the query of the POST, and to the home page without one', async () => {
    const { app, sign } = signers.get('users:HS256')!;
    const withQuery = await server.client().postForm(`/sso/${app.slug}/jwt?return_to=${encodeURIComponent('/articles/42?x=1')}`, { jwt: await sign(claims()) });
    assert.equal(withQuery.location, '/articles/42?x=1');
    assert.equal((await post(server.client(), app, await sign(claims()))).location, '/');
    const agents = signers.get('agents:HS256')!;
    assert.equal((await post(server.client(), agents.app, await agents.sign(claims({ email: 'agent.home@example.com', external_id: 'ah' })))).location, '/agent');
  });

  it('starts at the remote login URL with our JWT address and the wanted page as return_to', async () => {
    const { app } = signers.get('users:HS256')!;
    const response = await server.client().get(`/sso/${app.slug}/start?return_to=${encodeURIComponent('/articles/7')}`);
    assert.equal(response.status, 302);
    const target = new URL(response.location!);
    assert.equal(`${target.origin}${target.pathname}`, 'https://www.example.com/sso/frontdoor');
    assert.equal(target.searchParams.get('brand'), 'acme', 'the remote login URL keeps its own parameters');
    assert.equal(target.searchParams.get('return_to'), `http://localhost:8080/sso/${app.slug}/jwt?return_to=%2Farticles%2F7`);
    const home = new URL((await server.client().get(`/sso/${app.slug}/start`)).location!);
    assert.equal(home.searchParams.get('return_to'), `http://localhost:8080/sso/${app.slug}/jwt`);
    const evil = new URL((await server.client().get(`/sso/${app.slug}/start?return_to=${encodeURIComponent('https://evil.example/')}`)).location!);
    assert.equal(evil.searchParams.get('return_to'), `http://localhost:8080/sso/${app.slug}/jwt`);
  });

  it('shows a button on the login page while SSO is Disabled', async () => {
    await server.services.apps.update(signers.get('users:RS256')!.app.id, { showButton: true, config: { buttonText: 'Sign in with Acme' } }, cli);
    const login = await server.client().get('/login');
    assert.match(login.text, /href="\/sso\/jwt-users-rs256\/start">Sign in with Acme</);
  });

  it('provisions by the rules of the audience: closed registration, Auto Agent off, filters, email links', async () => {
    const s = server.services;
    const users = signers.get('users:HS384')!;
    await s.registration.updateSettings({ mode: 'closed' }, cli);
    try {
      const before = await accountCounts(s.db);
      const refused = await post(server.client(), users.app, await users.sign(claims({ email: 'newcomer@example.com', external_id: 'nc' })));
      assert.equal(refused.status, 403);
      assert.equal(errorCodeOf(refused), 'registration.closed');
      assert.deepEqual(await accountCounts(s.db), before);
      // An existing User links by email: the JWT app vouches for it.
      // emailVerified: an admin vouched for the address (invariant 5: only a proven email is linked to).
      const existing = await s.people.create({ audience: 'users', name: 'Lin', email: 'lin@example.com', password: 'correct horse battery', emailVerified: true });
      const linked = await post(server.client(), users.app, await users.sign(claims({ email: 'LIN@example.com', external_id: 'lin-1' })));
      assert.equal(linked.status, 303);
      const lin = (await s.people.get(existing.id))!;
      assert.deepEqual(lin.identities, [{ appId: users.app.id, subject: 'lin-1' }]);
    } finally {
      await s.registration.updateSettings({ mode: 'open' }, cli);
    }

    // Linking agents by email is off on Agents apps unless turned on; an admin vouched for Ada's email.
    const strictAgents = await install('agents', 'HS256', { trustEmail: true }, 'jwt-agents-no-auto');
    const before = await accountCounts(s.db);
    const unknown = await post(server.client(), strictAgents.app, await strictAgents.sign(claims({ email: 'stranger@example.com', external_id: 'st' })));
    assert.equal(errorCodeOf(unknown), 'sso.unknown_agent');
    assert.deepEqual(await accountCounts(s.db), before);
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', emailVerified: true });
    const known = await post(server.client(), strictAgents.app, await strictAgents.sign(claims({ email: 'ada@example.com', external_id: 'ada' })));
    assert.equal(known.status, 303);
    assert.equal(known.location, '/agent');

    const filtered = await install('users', 'HS256', { filter: { emailDomains: ['example.com'] } }, 'jwt-users-filtered');
    const outsider = await post(server.client(), filtered.app, await filtered.sign(claims({ email: 'eve@other.example', external_id: 'eve' })));
    assert.equal(errorCodeOf(outsider), 'sso.filter_refused');
    assert.equal((await post(server.client(), filtered.app, await filtered.sign(claims({ email: 'eve@example.com', external_id: 'eve' })))).status, 303);

    const distrusting = await install('users', 'HS256', { trustEmail: false }, 'jwt-users-distrusting');
    const takeover = await post(server.client(), distrusting.app, await distrusting.sign(claims({ email: 'lin@example.com', external_id: 'x' })));
    assert.equal(errorCodeOf(takeover), 'sso.email_unverified');
  });

  it('keys the identity on external_id (an email change keeps the person) or, without one, on the email', async () => {
    const s = server.services;
    const { app, sign } = signers.get('users:HS512')!;
    await post(server.client(), app, await sign(claims({ email: 'kim@example.com', external_id: 'kim-1', name: 'Kim' })));
    await post(server.client(), app, await sign(claims({ email: 'kim.new@example.com', external_id: 'kim-1', name: 'Kim Renamed' })));
    const kim = await s.people.findForSignIn('users', 'kim.new@example.com');
    assert.equal(kim?.person.name, 'Kim Renamed');
    assert.equal(await s.people.findForSignIn('users', 'kim@example.com'), undefined);

    const noId = { external_id: undefined, name: undefined };
    await post(server.client(), app, await sign(claims({ ...noId, email: 'noid@example.com', first_name: 'No', last_name: 'Id' })));
    const person = (await s.people.findForSignIn('users', 'noid@example.com'))!.person;
    assert.equal(person.name, 'No Id');
    assert.deepEqual(person.identities, [{ appId: app.id, subject: 'noid@example.com' }]);
  });

  it('adds Users to the usergroups their groups or tags name, when mapGroups is on', async () => {
    const s = server.services;
    const gold = await s.usergroups.create('Gold');
    const beta = await s.usergroups.create('Beta testers');
    const mapped = await install('users', 'HS256', { mapGroups: true }, 'jwt-users-groups');
    await post(server.client(), mapped.app, await mapped.sign(claims({ email: 'gus@example.com', external_id: 'gus', groups: ['gold', 'Unknown', 'Everyone'] })));
    await post(server.client(), mapped.app, await mapped.sign(claims({ email: 'tia@example.com', external_id: 'tia', tags: 'Beta testers,gold' })));
    const groupsOf = async (email: string) => (await s.people.findForSignIn('users', email))!.person.usergroups.map((g) => g.id).sort();
    assert.deepEqual(await groupsOf('gus@example.com'), [gold.id]);
    assert.deepEqual(await groupsOf('tia@example.com'), [gold.id, beta.id].sort());
    const plain = signers.get('users:HS256')!;
    await post(server.client(), plain.app, await plain.sign(claims({ email: 'ned@example.com', external_id: 'ned', groups: ['Gold'] })));
    assert.deepEqual(await groupsOf('ned@example.com'), [], 'mapGroups off: groups only feed filters and explicit mappings');
  });

  it('with Automatic SSO: anonymous Help Center visits go to the remote login URL, and signing out to the logout URL', async () => {
    const s = server.services;
    const auto = await install('users', 'HS256', { logoutUrl: 'https://www.example.com/logout?from=helpdesk' }, 'jwt-users-auto');
    await s.apps.update(auto.app.id, { sso: 'automatic' }, cli);
    try {
      const visitor = server.client();
      const gate = await visitor.get('/articles/00000000-0000-4000-8000-000000000000');
      assert.equal(gate.status, 302);
      assert.equal(gate.location, `/sso/jwt-users-auto/start?return_to=${encodeURIComponent('/articles/00000000-0000-4000-8000-000000000000')}`);
      const start = await visitor.get(gate.location!);
      assert.equal(start.status, 302);
      assert.ok(start.location!.startsWith('https://www.example.com/sso/frontdoor?brand=acme&return_to='), start.location!);

      const signedIn = await post(visitor, auto.app, await auto.sign(claims({ email: 'otto@example.com', external_id: 'otto' })));
      assert.equal(signedIn.status, 303);
      assert.equal((await visitor.get('/')).status, 200);
      const csrf = await visitor.csrfFrom('/logout');
      const out = await visitor.postForm('/logout', { _csrf: csrf });
      assert.equal(out.status, 303);
      assert.equal(out.location, 'https://www.example.com/logout?from=helpdesk');
      assert.equal((await visitor.get('/')).status, 302, 'signed out');
    } finally {
      await s.apps.update(auto.app.id, { sso: 'disabled' }, cli);
    }
  });

  it('with Automatic SSO for Agents: the agent login goes to the remote login URL, sign-out to the logout URL', async () => {
    const s = server.services;
    const auto = await install('agents', 'ES256', { logoutUrl: 'https://staff.example.com/bye', autoAgent: true }, 'jwt-agents-auto');
    await s.apps.update(auto.app.id, { sso: 'automatic' }, cli);
    try {
      const agent = server.client();
      const login = await agent.get('/agent/login');
      assert.equal(login.location, `/sso/jwt-agents-auto/start?return_to=${encodeURIComponent('/agent')}`);
      const start = await agent.get(login.location!);
      assert.equal(new URL(start.location!).searchParams.get('return_to'), 'http://localhost:8080/sso/jwt-agents-auto/jwt');
      assert.equal((await post(agent, auto.app, await auto.sign(claims({ email: 'sam@example.com', external_id: 'sam' })))).status, 303);
      const out = await agent.postForm('/agent/logout', { _csrf: await agent.csrfFrom('/agent/logout') });
      assert.equal(out.location, 'https://staff.example.com/bye');
    } finally {
      await s.apps.update(auto.app.id, { sso: 'disabled' }, cli);
    }
    // Disabled mode: signing out stays here.
    const plain = signers.get('agents:HS256')!;
    const agent = server.client();
    await post(agent, plain.app, await plain.sign(claims({ email: 'dee@example.com', external_id: 'dee' })));
    const out = await agent.postForm('/agent/logout', { _csrf: await agent.csrfFrom('/agent/logout') });
    assert.equal(out.location, '/agent');
  });

  it('generates the shared secret through the admin API, shows it once, and regenerating retires the old one', async () => {
    const auth = { authorization: `Bearer ${apiKey}` };
    const admin = server.client();
    const created = await admin.sendJson('POST', '/api/v1/apps', { audience: 'users', type: 'jwt', slug: 'jwt-api', config: { remoteLoginUrl, algorithms: ['HS512'] } }, auth);
    assert.equal(created.status, 201, created.text);
    const first: string = created.json.sharedSecret;
    assert.equal(first.length, 86);
    assert.equal(created.json.app.urls.jwt, 'http://localhost:8080/sso/jwt-api/jwt');
    assert.match(created.json.app.emailTrust, /treats it as verified/);
    const shown = await admin.get('/api/v1/apps/jwt-api', auth);
    assert.equal(shown.text.includes(first), false, 'never shown again');
    assert.deepEqual(shown.json.app.secretsSet, ['sharedSecret']);

    const app = (await server.services.apps.find('jwt-api'))!;
    const signWith = (secret: string, c = claims({ email: 'rot@example.com', external_id: 'rot' })) => signToken(c, secret, { alg: 'HS512' });
    assert.equal((await post(server.client(), app, await signWith(first))).status, 303);

    const regenerated = await admin.sendJson('POST', '/api/v1/apps/jwt-api/jwt-secret', undefined, auth);
    assert.equal(regenerated.status, 200);
    const second: string = regenerated.json.sharedSecret;
    assert.notEqual(second, first);
    const stale = await post(server.client(), app, await signWith(first));
    assert.equal(errorCodeOf(stale), 'sso.jwt.signature_invalid');
    assert.equal((await post(server.client(), app, await signWith(second))).status, 303);
    const audit = await server.services.audit.list({ action: 'app.secret_regenerated', limit: 1 });
    assert.equal(audit[0]?.target?.id, app.id);
    assert.equal(JSON.stringify(audit).includes(second), false);

    const short = await admin.sendJson('POST', '/api/v1/apps', { audience: 'users', type: 'jwt', config: { remoteLoginUrl, sharedSecret: 'too-short-secret' } }, auth);
    assert.equal(short.status, 400);
    assert.equal(short.json.error.code, 'app.config_invalid');
    const rsa = signers.get('users:RS256')!.app;
    const noSecret = await admin.sendJson('POST', `/api/v1/apps/${rsa.slug}/jwt-secret`, undefined, auth);
    assert.equal(noSecret.json.error.code, 'app.config_invalid');
  });

  it('leaves a trace an admin can read: the person and claims on success, the failed check on refusal', async () => {
    const { app, sign } = signers.get('users:EdDSA')!;
    const auth = { authorization: `Bearer ${apiKey}` };
    clock.advance(1000); // traces are listed newest first
    const ok = await post(server.client(), app, await sign(claims({ email: 'tracy@example.com', external_id: 'tracy' })));
    assert.equal(ok.status, 303);
    const traces = (await server.client().get(`/api/v1/sso-traces?appId=${app.id}&outcome=success&limit=1`, auth)).json.traces;
    assert.equal(traces[0].claims.email, 'tracy@example.com');
    assert.ok(traces[0].personId);

    const expired = await post(server.client(), app, await sign(claims({ exp: Math.floor(clock.now().getTime() / 1000) - 600 })));
    assert.equal(expired.status, 401);
    assert.match(expired.text, /The token expired 10 minutes ago: check the clock of the server that signs/);
    const trace = (await server.client().get(`/api/v1/sso-traces/${traceIdOf(expired)}`, auth)).json.trace;
    assert.equal(trace.errorCode, 'sso.jwt.expired');
    assert.equal(trace.failedCheck, 'exp');
    assert.equal(trace.claims.email, 'pat@example.com', 'claims of a verified token help the integrator');
    assert.equal(JSON.stringify(trace).includes('eyJ'), false, 'never the token itself');
  });

  it('refuses a disabled or unknown app, and a non-JWT app at the JWT address', async () => {
    const { app, sign } = signers.get('users:HS256')!;
    await server.services.apps.update(app.id, { enabled: false }, cli);
    try {
      const off = await post(server.client(), app, await sign(claims()));
      assert.equal(off.status, 404);
      assert.equal(errorCodeOf(off), 'sso.app_unavailable');
    } finally {
      await server.services.apps.update(app.id, { enabled: true }, cli);
    }
    assert.equal(errorCodeOf(await server.client().postForm('/sso/nope/jwt', { jwt: 'x' })), 'sso.app_unavailable');
    assert.equal(errorCodeOf(await server.client().postForm('/sso/password/jwt', { jwt: 'x' })), 'sso.app_unavailable');
  });
});

describe('JWT sign-in logs', () => {
  it('keeps a token sent by GET out of the request log', async () => {
    const services = await testServices();
    const lines: string[] = [];
    const stream = { write: (line: string) => void lines.push(line) };
    const app = await buildServer(services, { logger: { level: 'info', stream } });
    try {
      const secret = generateJwtSharedSecret();
      await services.apps.create({ audience: 'users', type: 'jwt', slug: 'logged', config: { remoteLoginUrl, sharedSecret: secret } }, cli);
      const token = await signToken(claimsAt(new Date()), secret, { alg: 'HS256' });
      const response = await app.inject({ method: 'GET', url: `/sso/logged/jwt?return_to=%2F&jwt=${token}` });
      assert.equal(response.statusCode, 303);
      const logged = lines.join('\n');
      assert.match(logged, /\/sso\/logged\/jwt\?return_to=%2F&jwt=\[redacted\]/);
      assert.equal(logged.includes(token.split('.')[1]!), false);
    } finally {
      await app.close();
      await services.db.close();
    }
  });
});
