import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { EmailSchema } from '../../src/core/validation.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { callbackUrlFor, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Email parser differentials (Gareth Heyes, "Splitting the email atom: exploiting parsers to
// bypass access controls", Black Hat USA 2024): an address that a mailer reads as another
// recipient lets a stranger "verify" an @example.com address at evil.com, then pass an app's
// email-domain filter (the way to an Agent account under Auto Agent) or own a registration.
// Frontdoor refuses such addresses at every door (EmailSchema), whoever sends them.

const ATTACKS = [
  '=?x?q?attacker=40evil.com=3e=00?=@example.com', // RFC 2047 encoded-word: decoded to attacker@evil.com>
  '=?utf-8?b?YXR0YWNrZXJAZXZpbC5jb20+?=@example.com',
  'attacker%evil.com@example.com', // the percent hack: relayed to attacker@evil.com
  'evil.com!attacker@example.com', // a UUCP bang path
  '"attacker@evil.com"@example.com', // a quoted local part
  'attacker(@example.com)@evil.com', // a comment
  'attacker@[203.0.113.7]', // an IP literal
];
const OIDC = { clientId: 'frontdoor-atoms', clientSecret: 'atoms-client-secret' };

describe('email parser differentials', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let jwtApp: AuthApp;
  let jwtSecret: string;

  before(async () => {
    server = await startTestServer();
    peer = await startOidcPeer({
      clients: [{ ...OIDC, redirectUris: [callbackUrlFor(server, 'corp')] }],
      accounts: [{ id: 'atom-sub', email: ATTACKS[0]!, email_verified: true, name: 'Mallory' }],
    });
    // The filter these addresses are made to pass: an Agents app that makes an Agent of anyone
    // from example.com (Auto Agent), the set-up Heyes turned into staff access.
    await installOidcApp(server, { audience: 'agents', slug: 'corp', issuer: peer.issuer, ...OIDC, config: { autoAgent: true, filter: { emailDomains: ['example.com'] } } });
    jwtSecret = generateJwtSharedSecret();
    jwtApp = await server.services.apps.create(
      { audience: 'users', type: 'jwt', slug: 'jwt-site', config: { remoteLoginUrl: 'https://www.example.com/sso', algorithms: ['HS256'], sharedSecret: jwtSecret } }, { type: 'cli' },
    );
  });
  after(async () => {
    await peer.close();
    await server.close();
  });

  it('EmailSchema refuses each of them and still takes ordinary and internationalised addresses', () => {
    for (const attack of ATTACKS) assert.equal(EmailSchema.safeParse(attack).success, false, attack);
    for (const good of ['ada@example.com', "o'neil+help@sub.example.co.uk", 'a_b-c@my-host.example', 'élodie@café.fr', 'user@xn--80ak6aa92e.com']) {
      assert.equal(EmailSchema.safeParse(good).success, true, good);
    }
  });

  it('a password registration with one of them is refused and makes nothing', async () => {
    for (const email of ATTACKS) {
      const browser = server.client();
      const csrf = await browser.csrfFrom('/register');
      const refused = await createsNothing(server.services.db, () => browser.postForm('/register', { _csrf: csrf, name: 'Mallory', email, password: 'correct horse battery' }));
      assertRefused(refused, 'request.invalid');
    }
  });

  it('a verified one from an OpenID Connect provider does not pass the Agents app\'s email-domain filter: no Agent is made', async () => {
    peer.signInAs('atom-sub');
    const refused = await createsNothing(server.services.db, () => signInThroughProvider(server, server.client(), '/sso/corp/start'));
    assertRefused(refused, 'sso.filter_refused');
    assert.equal((await server.services.db.query("SELECT 1 FROM people WHERE audience = 'agents'")).length, 0);
  });

  it('a JWT site asserting one is refused as a bad email claim', async () => {
    for (const email of ATTACKS) {
      const token = await signToken(claimsAt(new Date(), { email, external_id: `atom ${email}` }), jwtSecret, { alg: 'HS256', typ: 'JWT' });
      const refused = await createsNothing(server.services.db, () => server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: token }));
      assertRefused(refused, 'sso.jwt.claim_invalid');
    }
  });
});
