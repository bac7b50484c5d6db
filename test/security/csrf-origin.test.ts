import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { assertRefused, createsNothing, refusalCode } from '../helpers/attacks.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { installSamlApp, loginAtIdp } from '../helpers/saml.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

// Issue 14, defect 6: CSRF defence in depth. A state-changing request that carries a valid
// token but whose browser says it came from another site (a foreign Origin, Sec-Fetch-Site:
// cross-site) is refused; the protocol endpoints that must take cross-site POSTs still do.

const cli = { type: 'cli' } as const;
const PASSWORD = 'correct horse battery';
const EVIL = 'https://evil.example.net';

describe('CSRF: a valid token from another site is refused', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let user: TestClient;

  before(async () => {
    server = await startTestServer();
    idp = await SamlIdp.start();
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
    user = server.client();
    assert.equal((await user.signIn('ann@example.com', PASSWORD)).status, 303);
  });
  after(async () => {
    await idp.close();
    await server.close();
  });

  const postWith = async (browser: TestClient, path: string, headers: Record<string, string>, fields: Record<string, string> = {}) => {
    const csrf = (await browser.apiCsrfHeader())['x-csrf-token']!;
    return browser.request('POST', path, {
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  };

  for (const [what, headers] of [
    ['a foreign Origin', { origin: EVIL }],
    ['Origin: null', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['a sibling site\'s Origin (same-site, another origin)', { origin: 'http://user-content.localhost:8080', 'sec-fetch-site': 'same-site' }],
  ] as const) {
    it(`${what}: refused with request.csrf_invalid despite a valid token, and nothing changes`, async () => {
      const ended = await createsNothing(server.services.db, () => postWith(user, '/account/sessions/end-others', headers));
      assertRefused(ended, 'request.csrf_invalid');
      const login = await createsNothing(server.services.db, () => postWith(server.client(), '/login', headers, { email: 'ann@example.com', password: PASSWORD }));
      assertRefused(login, 'request.csrf_invalid');
      assert.equal((await user.get('/api/v1/session?audience=users')).status, 200, 'still signed in');
    });
  }

  it('our own origin (PUBLIC_URL, or the address the browser used) and same-origin fetch metadata pass', async () => {
    const publicOrigin = server.services.config.publicUrl.origin;
    assert.equal((await postWith(server.client(), '/login', { origin: publicOrigin, 'sec-fetch-site': 'same-origin' }, { email: 'ann@example.com', password: PASSWORD })).status, 303);
    assert.equal((await postWith(server.client(), '/login', { origin: server.url }, { email: 'ann@example.com', password: PASSWORD })).status, 303);
    assert.equal((await postWith(server.client(), '/login', { 'sec-fetch-site': 'none' }, { email: 'ann@example.com', password: PASSWORD })).status, 303);
  });

  it('the protocol endpoints take cross-site POSTs: a JWT sign-in and a SAML answer are not refused for their Origin', async () => {
    const secret = generateJwtSharedSecret();
    const app = await server.services.apps.create(
      { audience: 'users', type: 'jwt', slug: 'site-jwt', config: { remoteLoginUrl: 'https://www.example.com/login', algorithms: ['HS256'], sharedSecret: secret } }, cli,
    );
    const token = await signToken(claimsAt(new Date(), { email: 'jo@example.com', external_id: 'jo' }), secret, { alg: 'HS256', typ: 'JWT' });
    const jwt = await server.client().request('POST', `/sso/${app.slug}/jwt`, {
      body: new URLSearchParams({ jwt: token }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://www.example.com', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(jwt.status, 303, jwt.text.slice(0, 300));

    const { app: saml, sp } = await installSamlApp(server, idp, { slug: 'saml-cross-site' });
    const browser = server.client();
    const answer = await loginAtIdp(browser, saml, idp, sp, { nameId: 'sam@example.com', email: 'sam@example.com' });
    const acs = await browser.request('POST', `/sso/${saml.slug}/saml/acs`, {
      body: new URLSearchParams({ SAMLResponse: answer.SAMLResponse, RelayState: answer.RelayState }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: idp.baseUrl, 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(acs.status, 303, `${acs.status} ${refusalCode(acs)}`);

    const backchannel = await server.client().request('POST', `/sso/${app.slug}/backchannel-logout`, {
      body: 'logout_token=x', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL, 'sec-fetch-site': 'cross-site' },
    });
    assert.notEqual(refusalCode(backchannel), 'request.csrf_invalid');
  });
});
