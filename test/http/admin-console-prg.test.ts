import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { LOGO_MAX_BYTES } from '../../src/core/brand-logo.ts';
import type { Services } from '../../src/core/services.ts';
import { buildServer } from '../../src/http/server.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { errorCodeOf } from '../helpers/jwt.ts';
import { formFields } from '../helpers/pages.ts';
import { TestClient } from '../helpers/server.ts';
import { testServices } from '../helpers/services.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
const RESULT = /^\/admin\/apps\/([0-9a-f-]{36})\/test\/([0-9a-f-]{36})$/;

// Issue 18 part 4, the console's leftovers: the Test is POST-redirect-GET (its report kept for
// the admin's session), a Test that cannot run is a failed check rather than an error page,
// the app forms take pasted SAML metadata as large as the schema allows, and a Help Center
// session is refused by every console route before its body is read.
describe('admin console: POST-redirect-GET and the body of console forms', () => {
  let services: Services;
  let app: FastifyInstance;
  let url: string;
  let admin: TestClient;
  const logLines: { level: number; msg: string; code?: string; err?: unknown }[] = [];
  const client = () => new TestClient(url);
  const testsOf = async (appId: string) => (await services.audit.list({ action: 'app.tested', limit: 100 })).filter((e) => e.target?.id === appId);
  const runTest = async (who: TestClient, appId: string) => who.postForm(`/admin/apps/${appId}/test`, { _csrf: await who.csrfFrom(`/admin/apps/${appId}`) });

  before(async () => {
    services = await testServices();
    // A real logger, into memory: what a Test that cannot run writes, and at which level.
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    app = await buildServer(services, { logger: { level: 'info', stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await services.people.create({ audience: 'users', name: 'Una User', email: 'una@example.com', password: PASSWORD });
    admin = client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await services.mail.idle();
    await app.close();
    await services.db.close();
  });

  it('answers the Test with a redirect to its report, which a reload shows again without testing again, to this session only', async () => {
    const tested = await services.apps.create({
      audience: 'users', type: 'oidc', slug: 'prg-down-idp', config: { issuer: 'http://127.0.0.1:9/', clientId: 'frontdoor', clientSecret: 'shh-secret' },
    }, cli);
    const posted = await runTest(admin, tested.id);
    assert.equal(posted.status, 303, posted.text);
    const [, appId, resultId] = RESULT.exec(posted.location ?? '') ?? [];
    assert.equal(appId, tested.id);
    assert.ok(resultId);
    assert.equal((await testsOf(tested.id)).length, 1);

    for (let reload = 0; reload < 2; reload++) {
      const shown = await admin.get(posted.location!);
      assert.equal(shown.status, 200);
      assert.match(shown.text, /Some checks failed/);
      assert.match(shown.text, /<strong>failed<\/strong> · discovery/);
    }
    assert.equal((await testsOf(tested.id)).length, 1, 'a reload shows the report; it does not test again');

    // The same admin in another browser, and the report's id under another app: nothing there.
    const elsewhere = client();
    await elsewhere.signIn('ada@example.com', PASSWORD, 'agents');
    const foreign = await elsewhere.get(posted.location!);
    assert.equal(foreign.status, 404);
    assert.equal(errorCodeOf(foreign), 'request.not_found');
    const other = await services.apps.create({ audience: 'users', type: 'jwt', slug: 'prg-other', config: { remoteLoginUrl: 'https://www.example.com/', sharedSecret: generateJwtSharedSecret() } }, cli);
    assert.equal((await admin.get(`/admin/apps/${other.id}/test/${resultId}`)).status, 404);
    assert.equal((await admin.get(`/admin/apps/${tested.id}/test/not-a-uuid`)).status, 404);
    // Kept in the rows of the test sign-in's reports (console-results.ts), never read as one.
    assert.equal((await admin.get(`/admin/apps/${tested.id}/test-sign-in/${resultId}`)).status, 404);

    // The Test's own address opened with a GET (the form's data dropped) goes to the app's page.
    const typed = await admin.get(`/admin/apps/${tested.id}/test`);
    assert.equal(typed.status, 303);
    assert.equal(typed.location, `/admin/apps/${tested.id}`);
  });

  it('shows a Test that cannot run as a failed check naming the cause, logged at warn without a stack', async () => {
    const password = await services.apps.passwordApp('users');
    const posted = await runTest(admin, password.id);
    assert.equal(posted.status, 303, posted.text);
    assert.match(posted.location ?? '', RESULT);
    const shown = await admin.get(posted.location!);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /Some checks failed/);
    assert.match(shown.text, /<strong>failed<\/strong> · service: Testing password apps is not available in this version of Frontdoor\. \(sso\.protocol_unavailable\)/);
    const [audited] = await testsOf(password.id);
    assert.equal(audited?.outcome, 'failure');
    assert.equal(audited?.reason, 'sso.protocol_unavailable');

    const lines = logLines.filter((line) => line.code === 'sso.protocol_unavailable');
    assert.ok(lines.length >= 1, 'the cause is logged');
    for (const line of lines) {
      assert.equal(line.level, 40, 'at warn');
      assert.equal(line.err, undefined, 'without the error and its stack');
    }
    assert.ok(!logLines.some((line) => line.level >= 50), 'nothing logged as an error');
  });

  it('installs, validates and saves a SAML app whose pasted metadata is 200 KB; other console forms keep the 64 KiB limit', async () => {
    const idp = await SamlIdp.start();
    try {
      // Real metadata, made large the way real federation metadata is: long comments and text.
      const padding = `<!-- ${'Federation notice: keep this certificate current. '.repeat(4000)} -->`;
      const padded = idp.metadataXml.startsWith('<?xml') ? idp.metadataXml.replace('?>', `?>${padding}`) : `${padding}${idp.metadataXml}`;
      assert.ok(padded.length >= 200_000, `${padded.length} characters`);

      const form = formFields((await admin.get('/admin/apps/new?audience=users&type=saml')).text, '/admin/apps');
      const fields = { ...form, slug: 'big-metadata', 'config.idpMetadataUrl': '', 'config.idpMetadataXml': padded, 'config.attributes.email': 'email' };
      const validated = await admin.postForm('/admin/apps/validate', fields);
      assert.equal(validated.status, 200, validated.text.slice(0, 500));
      assert.equal(validated.json.problems['config.idpMetadataXml'], undefined);

      const installed = await admin.postForm('/admin/apps', fields);
      assert.equal(installed.status, 303, installed.text.slice(0, 500));
      const saved = await services.apps.require('big-metadata');
      assert.equal(saved.config.idpMetadataXml, padded);

      const edit = formFields((await admin.get(`/admin/apps/${saved.id}`)).text, `/admin/apps/${saved.id}`);
      const edited = await admin.postForm(`/admin/apps/${saved.id}`, { ...edit, name: 'Big metadata', 'config.idpMetadataXml': padded });
      assert.equal(edited.status, 303, edited.text.slice(0, 500));
      assert.equal((await services.apps.require(saved.id)).name, 'Big metadata');

      const elsewhere = await admin.postForm('/admin/usergroups', { _csrf: await admin.csrfFrom('/admin/usergroups'), name: 'x'.repeat(200_000) });
      assert.equal(elsewhere.status, 413);
      assert.equal(errorCodeOf(elsewhere), 'request.too_large');
    } finally {
      await idp.close();
    }
  });

  it('refuses a Help Center session at the console with auth.wrong_audience before reading its upload or form', async () => {
    const una = client();
    assert.equal((await una.signIn('una@example.com', PASSWORD)).status, 303);
    const csrf = await una.csrfFrom('/account');
    const before = await services.brand.current();

    // A logo over the limit: read, it would be refused as too large (413); unread, the session is.
    const upload = new FormData();
    upload.append('_csrf', csrf);
    upload.append('name', 'Una Was Here');
    upload.append('logo', new Blob([new Uint8Array(LOGO_MAX_BYTES + 4096)], { type: 'image/png' }), 'logo.png');
    const branded = await una.postMultipart('/admin/brand', upload);
    assert.equal(branded.status, 403);
    assert.equal(errorCodeOf(branded), 'auth.wrong_audience');
    assert.deepEqual(await services.brand.current(), before, 'nothing changed');

    const installed = await una.postForm('/admin/apps', { _csrf: csrf, audience: 'users', type: 'jwt', slug: 'una-app', name: 'Una', 'config.idpMetadataXml': 'x'.repeat(100_000) });
    assert.equal(installed.status, 403);
    assert.equal(errorCodeOf(installed), 'auth.wrong_audience');
    assert.equal(await services.apps.find('una-app'), undefined);

    const page = await una.get('/admin/apps');
    assert.equal(page.status, 403);
    assert.equal(errorCodeOf(page), 'auth.wrong_audience');
  });
});
