import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { accountCounts } from '../helpers/counts.ts';
import { claimsAt, errorCodeOf, signToken } from '../helpers/jwt.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The report's lines as name → state, e.g. { signature: 'passed', audience: 'failed' }. */
function checkStates(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/data-check="([a-z_]+)"><strong>([a-z ]+)<\/strong>/g)].map((m) => [m[1]!, m[2]!]));
}

// A JWT app's tests in the console (issue 18 part 2): a pasted token checked by the sign-in's
// own verifier without using it up, and a shared secret that can be regenerated and is shown
// again on reload, for 15 minutes, to the session that regenerated it only.
describe('JWT app: pasted token check and shared secret regeneration', () => {
  let server: TestServer;
  let admin: TestClient;
  let app: AuthApp;
  let secret: string;

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    secret = generateJwtSharedSecret();
    app = await server.services.apps.create({
      audience: 'users', type: 'jwt', slug: 'site-jwt',
      config: { remoteLoginUrl: 'https://www.example.com/login', algorithms: ['HS256'], sharedSecret: secret, audience: 'frontdoor', mapGroups: true },
    }, cli);
    await server.services.usergroups.create('Beta');
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
  });

  const pasteToken = async (token: string) => {
    const response = await admin.postForm(`/admin/apps/${app.id}/test-token`, { _csrf: await admin.csrfFrom(`/admin/apps/${app.id}`), token });
    assert.equal(response.status, 200, response.text.slice(0, 300));
    return unescape(response.text);
  };

  it('a good token passes every check, shows its claims and their mapping, and still signs in afterwards (its jti is not used up)', async () => {
    const claims = claimsAt(server.services.clock.now(), { aud: 'frontdoor', email: 'pat@example.com', name: 'Pat Example', groups: ['beta', 'nobody'] });
    const token = await signToken(claims, secret, { alg: 'HS256' });
    const before = await accountCounts(server.services.db);
    const report = await pasteToken(token);
    assert.match(report, /The token passes every check/);
    assert.deepEqual(checkStates(report), {
      token: 'passed', algorithm: 'passed', signature: 'passed', issuer: 'passed', audience: 'passed', time: 'passed', jti: 'passed', email: 'passed', replay: 'passed',
    });
    assert.match(report, new RegExp(`<code>jti</code></td><td data-label="Value"><code>"${claims.jti}"</code>`), 'the claims it carried');
    assert.match(report, /<dt>Email<\/dt><dd>pat@example.com/);
    assert.match(report, /<dt>Name<\/dt><dd>Pat Example<\/dd>/);
    assert.match(report, /<dt>Usergroups named \(mapGroups\)<\/dt><dd>beta, nobody<\/dd>/);
    assert.doesNotMatch(report, new RegExp(token.slice(-20)), 'the token is not echoed back');
    assert.deepEqual(await accountCounts(server.services.db), before, 'nothing is created');
    const [{ n }] = await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM used_token_ids') as [{ n: number }];
    assert.equal(n, 0, 'the replay store was not written');

    // The very token still works for a real sign-in, once.
    const signIn = await server.client().postForm(`/sso/${app.slug}/jwt`, { jwt: token });
    assert.equal(signIn.status, 303, signIn.text.slice(0, 300));
    const again = await server.client().postForm(`/sso/${app.slug}/jwt`, { jwt: token });
    assert.equal(errorCodeOf(again), 'sso.jwt.replayed');
    // Checked again now, the used token is named for what a sign-in would refuse it for.
    const used = await pasteToken(token);
    assert.equal(checkStates(used).replay, 'failed');
    assert.equal(checkStates(used).email, 'passed');
    assert.match(used, /sso\.jwt\.replayed/);

    // A reload of the result page (a GET of the form's address) goes back to the app's page.
    const reload = await admin.get(`/admin/apps/${app.id}/test-token`);
    assert.equal(reload.status, 303);
    assert.equal(reload.location, `/admin/apps/${app.id}`);
  });

  it('a bad token names the check that failed, with its reason', async () => {
    const now = server.services.clock.now();
    const wrongAudience = await pasteToken(await signToken(claimsAt(now, { aud: 'someone-else' }), secret, { alg: 'HS256' }));
    assert.match(wrongAudience, /The token is refused \(<code>sso\.jwt\.audience_mismatch<\/code>\)/);
    const states = checkStates(wrongAudience);
    assert.equal(states.signature, 'passed');
    assert.equal(states.audience, 'failed');
    assert.equal(states.email, 'not checked');
    assert.match(wrongAudience, /does not include the one this app expects \("frontdoor"\)/);

    const wrongKey = await pasteToken(await signToken(claimsAt(now, { aud: 'frontdoor' }), generateJwtSharedSecret(), { alg: 'HS256' }));
    assert.equal(checkStates(wrongKey).signature, 'failed');
    assert.equal(checkStates(wrongKey).algorithm, 'passed');
    assert.match(wrongKey, /Claims it carried <span class="muted">\(not verified/);

    const expired = await pasteToken(await signToken(claimsAt(now, { aud: 'frontdoor', iat: Math.floor(now.getTime() / 1000) - 3600, exp: Math.floor(now.getTime() / 1000) - 1800 }), secret, { alg: 'HS256' }));
    assert.equal(checkStates(expired).time, 'failed');

    const garbage = await pasteToken('not a token');
    assert.equal(checkStates(garbage).token, 'failed');
    assert.match(garbage, /sso\.jwt\.malformed/);
  });

  it('regenerating the secret: confirmed first, the old secret is refused at once, the new one works, a reload shows it, another session does not', async () => {
    const confirm = await admin.get(`/admin/apps/${app.id}/regenerate-secret`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Tokens signed with the old secret stop working at once/);

    const unconfirmed = await admin.postForm(`/admin/apps/${app.id}/regenerate-secret`, { _csrf: await admin.csrfFrom(`/admin/apps/${app.id}`) });
    assert.equal(unconfirmed.location, `/admin/apps/${app.id}/regenerate-secret`, 'without the confirmation nothing changes');

    const done = await admin.postForm(`/admin/apps/${app.id}/regenerate-secret`, { _csrf: await admin.csrfFrom(`/admin/apps/${app.id}`), confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(done.location, `/admin/apps/${app.id}/shared-secret`);
    const shown = await admin.get(done.location!);
    assert.equal(shown.status, 200);
    const newSecret = /id="f-copy-sharedSecret" type="text" readonly value="([^"]+)"/.exec(shown.text)?.[1];
    assert.ok(newSecret && newSecret !== secret, 'a new secret is shown');
    assert.match(shown.text, /New shared secret, shown to you until/);

    // A reload shows it again, to this session only.
    assert.match((await admin.get(done.location!)).text, new RegExp(newSecret));
    const other = server.client();
    assert.equal((await other.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const elsewhere = await other.get(done.location!);
    assert.equal(elsewhere.status, 200);
    assert.doesNotMatch(elsewhere.text, new RegExp(newSecret));
    assert.match(elsewhere.text, /No new shared secret to show here/);

    const now = server.services.clock.now();
    const old = await server.client().postForm(`/sso/${app.slug}/jwt`, { jwt: await signToken(claimsAt(now, { aud: 'frontdoor' }), secret, { alg: 'HS256' }) });
    assert.equal(errorCodeOf(old), 'sso.jwt.signature_invalid');
    const fresh = await server.client().postForm(`/sso/${app.slug}/jwt`, { jwt: await signToken(claimsAt(now, { aud: 'frontdoor' }), newSecret, { alg: 'HS256' }) });
    assert.equal(fresh.status, 303, fresh.text.slice(0, 300));

    const [audit] = await server.services.audit.list({ action: 'app.secret_regenerated', limit: 1 });
    assert.equal(audit?.target?.id, app.id);
    assert.equal(audit?.details?.via, 'console');
    const everything = JSON.stringify(await server.services.db.query('SELECT details FROM audit_events'));
    assert.ok(!everything.includes(newSecret), 'the secret is in no audit detail');
    const [row] = await server.services.db.query<{ sealed: Uint8Array }>('SELECT sealed FROM console_results WHERE kind = $1', ['shared_secret']);
    assert.ok(row && !Buffer.from(row.sealed).toString('latin1').includes(newSecret), 'stored sealed');
  });

  it('an app without a shared secret cannot regenerate one', async () => {
    const rs = await server.services.apps.create({
      audience: 'users', type: 'jwt', slug: 'site-jwks', config: { remoteLoginUrl: 'https://www.example.com/login', algorithms: ['EdDSA'], jwksUrl: 'https://www.example.com/jwks' },
    }, cli);
    const refused = await admin.get(`/admin/apps/${rs.id}/regenerate-secret`);
    assert.equal(refused.status, 409);
    assert.equal(errorCodeOf(refused), 'app.secret_not_regenerable');
  });
});
