import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { callbackUrlFor, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Unicode case-mapping collisions (the "dotless i" takeover of GitHub's password reset, 2019):
// PostgreSQL's lower(), which every email lookup and person_emails_unique use, folds 'İ' (U+0130)
// to 'i' and the Kelvin sign (U+212A) to 'k'. Whoever owns the look-alike IDN vİctİm.com has
// their identity service verify bob@vİctİm.com, which lower() makes bob@victim.com: joined to
// Bob's account, that would be a takeover on the defaults (trustEmail on, open registration).

const PASSWORD = 'correct horse battery';
const OIDC = { clientId: 'frontdoor-collide', clientSecret: 'collide-client-secret' };
const LOOK_ALIKE = 'bob@vİctİm.com';
const KELVIN = 'bob@\u212Aelvin.example';

describe('Unicode case-mapping collisions of emails', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let peer: OidcPeer;
  let jwtApp: AuthApp;
  let jwtSecret: string;
  let bobId: string;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    peer = await startOidcPeer({
      clients: [{ ...OIDC, redirectUris: [callbackUrlFor(server, 'idp')] }],
      accounts: [
        { id: 'attacker-sub', email: LOOK_ALIKE, email_verified: true, name: 'Mallory' },
        { id: 'bob-sub', email: 'Bob@Victim.COM', email_verified: true, name: 'Bob' },
      ],
    });
    await installOidcApp(server, { audience: 'users', slug: 'idp', issuer: peer.issuer, ...OIDC });
    jwtSecret = generateJwtSharedSecret();
    jwtApp = await server.services.apps.create(
      { audience: 'users', type: 'jwt', slug: 'jwt-site', config: { remoteLoginUrl: 'https://www.example.com/sso', algorithms: ['HS256'], sharedSecret: jwtSecret } }, { type: 'cli' },
    );
    const s = server.services;
    bobId = (await s.people.create({ audience: 'users', name: 'Bob', email: 'bob@victim.com', password: PASSWORD, emailVerified: true })).id;
    await s.people.create({ audience: 'users', name: 'Kim', email: 'bob@kelvin.example', password: PASSWORD, emailVerified: true });
    // The premise: the database folds the look-alikes into the victims' addresses.
    const [premise] = await s.db.query<{ folds: boolean }>('SELECT lower($1) = lower($2) AND lower($3) = lower($4) AS folds', [LOOK_ALIKE, 'bob@victim.com', KELVIN, 'bob@kelvin.example']);
    assert.equal(premise?.folds, true);
  });
  after(async () => {
    await peer.close();
    await server.close();
    await mailbox.close();
  });

  const identitiesOfBob = async () => (await server.services.people.get(bobId))!.identities;

  it('a verified look-alike address from an OpenID Connect provider is not joined to the account it folds into, and makes none', async () => {
    peer.signInAs('attacker-sub');
    const refused = await createsNothing(server.services.db, () => signInThroughProvider(server, server.client(), '/sso/idp/start'));
    assertRefused(refused, 'sso.email_case_collision');
    assert.deepEqual(await identitiesOfBob(), [], 'nothing linked to Bob');
    const traceId = /trace <code>([^<]+)<\/code>/.exec(refused.text)![1]!;
    assert.equal((await server.services.ssoTraces.require(traceId)).failedCheck, 'email_case_collision');
  });

  it('nor from a JWT site, with İ or the Kelvin sign', async () => {
    for (const email of [LOOK_ALIKE, KELVIN]) {
      const token = await signToken(claimsAt(new Date(), { email, external_id: `attacker ${email}` }), jwtSecret, { alg: 'HS256', typ: 'JWT' });
      const refused = await createsNothing(server.services.db, () => server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: token }));
      assertRefused(refused, 'sso.email_case_collision');
    }
  });

  it('the forgot form with the look-alike mails only the address the account holds', async () => {
    const browser = server.client();
    const sent = mailbox.messages.length;
    await browser.postForm('/password/forgot', { _csrf: await browser.csrfFrom('/password/forgot'), email: LOOK_ALIKE });
    await server.services.mail.idle();
    const recipients = mailbox.messages.slice(sent).flatMap((m) => m.to);
    assert.ok(recipients.every((to) => to === 'bob@victim.com'), `mailed only Bob's own address, not ${recipients.join(', ')}`);
  });

  it('the same address in other ASCII letter case still joins (the owner at their own service)', async () => {
    peer.signInAs('bob-sub');
    const joined = await signInThroughProvider(server, server.client(), '/sso/idp/start');
    assert.equal(joined.status, 303, joined.text.slice(0, 300));
    assert.equal((await identitiesOfBob()).length, 1);
  });
});
