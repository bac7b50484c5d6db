import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountCounts } from '../helpers/counts.ts';
import { errorCodeOf } from '../helpers/jwt.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// People in the admin console and the admin API (issue 18 part 3): adding Users and Agents,
// editing names and emails without making a typed address proven, the reset link, admin
// rights, and the CSV import with its dry run, refusals and the same plan applied.
describe('admin: people and CSV import', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let admin: TestClient;
  let key: string;
  let customersId: string;
  const api = (method: string, path: string, body?: unknown) =>
    server.client().sendJson(method, path, body, { authorization: `Bearer ${key}` });
  /** A console form with repeated fields (checkbox groups), posted with this browser's CSRF token. */
  const submit = async (page: string, action: string, fields: [string, string][]) => {
    const csrf = await admin.csrfFrom(page);
    return admin.request('POST', action, {
      body: new URLSearchParams([['_csrf', csrf], ...fields]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  };
  const personByEmail = async (audience: 'users' | 'agents', email: string) =>
    (await server.services.people.findForSignIn(audience, email))?.person;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    const s = server.services;
    await s.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await s.people.create({ audience: 'agents', name: 'Sam Agent', email: 'sam@example.com', password: PASSWORD });
    customersId = (await s.usergroups.create('Customers')).id;
    await s.usergroups.create('Beta');
    key = (await s.apiKeys.create('tests', null)).key;
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  describe('console', () => {
    it('adds a User with usergroups, the email unproven unless ticked, audited', async () => {
      const added = await submit('/admin/people/users', '/admin/people/users', [
        ['name', 'Robin Reader'], ['email', 'robin@example.com'], ['usergroupIds', customersId],
      ]);
      assert.equal(added.status, 303);
      const robin = (await personByEmail('users', 'robin@example.com'))!;
      assert.equal(added.location, `/admin/people/users/${robin.id}?notice=created`);
      assert.deepEqual(robin.usergroups.map((g) => g.name), ['Customers']);
      assert.equal(robin.emails[0]!.verified, false);
      assert.equal(robin.hasPassword, false);
      const audit = (await server.services.audit.list({ action: 'person.created', targetId: robin.id }))[0]!;
      assert.equal(audit.actor.type, 'person');

      await submit('/admin/people/users', '/admin/people/users', [['name', 'Vera Vouched'], ['email', 'vera@example.com'], ['emailVerified', 'on']]);
      assert.equal((await personByEmail('users', 'vera@example.com'))!.emails[0]!.verified, true);
    });

    it('adds an admin Agent only when ticked, audited as admin_granted', async () => {
      const added = await submit('/admin/people/agents', '/admin/people/agents', [['name', 'Nia New'], ['email', 'nia@example.com'], ['isAdmin', 'on']]);
      assert.equal(added.status, 303);
      const nia = (await personByEmail('agents', 'nia@example.com'))!;
      assert.equal(nia.isAdmin, true);
      assert.equal((await server.services.audit.list({ action: 'person.admin_granted', targetId: nia.id })).length, 1);
    });

    it('refuses a taken email or a bad one with its code on the page, and creates nothing', async () => {
      const before = await accountCounts(server.services.db);
      const taken = await submit('/admin/people/users', '/admin/people/users', [['name', 'Robin Again'], ['email', 'ROBIN@example.com']]);
      assert.equal(taken.status, 409);
      assert.equal(errorCodeOf(taken), 'person.email_taken');
      assert.match(taken.text, /value="Robin Again"/);
      const bad = await submit('/admin/people/users', '/admin/people/users', [['name', 'No Mail'], ['email', 'not-an-email']]);
      assert.equal(bad.status, 400);
      assert.equal(errorCodeOf(bad), 'request.invalid');
      assert.deepEqual(await accountCounts(server.services.db), before);
    });

    it('edits a name and email: a new address is unproven unless ticked, an unchanged one keeps its proof', async () => {
      const vera = (await personByEmail('users', 'vera@example.com'))!;
      const page = `/admin/people/users/${vera.id}`;
      assert.equal((await submit(page, `${page}/profile`, [['name', 'Vera Renamed'], ['email', 'vera@example.com']])).status, 303);
      let now = (await server.services.people.get(vera.id))!;
      assert.equal(now.name, 'Vera Renamed');
      assert.equal(now.emails[0]!.verified, true, 'the same address keeps its proof');

      assert.equal((await submit(page, `${page}/profile`, [['name', 'Vera Renamed'], ['email', 'vera.new@example.com']])).status, 303);
      now = (await server.services.people.get(vera.id))!;
      assert.deepEqual(now.emails, [{ email: 'vera.new@example.com', primary: true, verified: false }]);

      assert.equal((await submit(page, `${page}/profile`, [['name', 'Vera Renamed'], ['email', 'vera.new@example.com'], ['emailVerified', 'on']])).status, 303);
      assert.equal((await server.services.people.get(vera.id))!.emails[0]!.verified, true);
    });

    it('sends a password-reset link to the primary email, audited with the admin as actor', async () => {
      const robin = (await personByEmail('users', 'robin@example.com'))!;
      const page = `/admin/people/users/${robin.id}`;
      const sent = await submit(page, `${page}/password-reset`, []);
      assert.equal(sent.status, 303);
      assert.equal(sent.location, `${page}?notice=reset_sent`);
      assert.match(linkIn(await mailbox.next('robin@example.com', /Reset your password/), '/password/reset'), /^\/password\/reset\?token=/);
      const audit = (await server.services.audit.list({ action: 'password.reset_sent', targetId: robin.id }))[0]!;
      assert.equal(audit.actor.type, 'person');
    });

    it('disabling ends sessions at once; a disabled person gets no reset link', async () => {
      const sam = server.client();
      assert.equal((await sam.signIn('sam@example.com', PASSWORD, 'agents')).status, 303);
      const id = (await personByEmail('agents', 'sam@example.com'))!.id;
      const page = `/admin/people/agents/${id}`;
      assert.equal((await submit(page, `${page}/disable`, [['confirm', 'yes']])).status, 303);
      assert.equal((await sam.get('/api/v1/session?audience=agents')).status, 401);
      const refused = await submit(page, `${page}/password-reset`, []);
      assert.equal(refused.status, 403);
      assert.equal(errorCodeOf(refused), 'auth.account_disabled');
      assert.equal((await submit(page, `${page}/enable`, [])).status, 303);
    });

    it('imports Users from CSV: a dry run that changes nothing, refusals with reasons, then the same plan', async () => {
      const csv = [
        'name,email,usergroups',
        'Robin Renamed,robin@example.com,Customers',
        'Carl Customer,carl@example.com,Customers;beta',
        'Bad Mail,not-an-email,',
        'Twice One,twice@example.com,',
        'Twice Two,TWICE@example.com,',
        'Lost Group,lost@example.com,Nowhere',
        'Sam Again,sam@example.com,',
        'Vera Renamed,vera.new@example.com,',
      ].join('\n');
      const before = await accountCounts(server.services.db);
      const dry = await submit('/admin/people/users/import', '/admin/people/users/import/dry-run', [['csv', csv]]);
      assert.equal(dry.status, 200);
      assert.match(dry.text, /1 would be created, 1 updated, 1 unchanged; 5 refused/);
      for (const reason of ['email_invalid', 'duplicate_in_file', 'usergroup_unknown', 'agent_email']) assert.match(dry.text, new RegExp(reason));
      assert.deepEqual(await accountCounts(server.services.db), before, 'a dry run writes nothing');

      const fingerprint = /name="plan" value="([^"]+)"/.exec(dry.text)![1]!;
      const applied = await submit('/admin/people/users/import', '/admin/people/users/import/apply', [['csv', csv], ['plan', fingerprint]]);
      assert.equal(applied.status, 303);
      const report = await admin.get(applied.location!);
      assert.match(report.text, /1 were created, 1 updated, 1 unchanged; 5 refused/);
      const carl = (await personByEmail('users', 'carl@example.com'))!;
      assert.deepEqual(carl.usergroups.map((g) => g.name).sort(), ['Beta', 'Customers']);
      assert.equal(carl.emails[0]!.verified, false, 'an imported address is not proven');
      assert.equal((await personByEmail('users', 'robin@example.com'))!.name, 'Robin Renamed');
      assert.equal(await personByEmail('users', 'sam@example.com'), undefined);
      const summary = (await server.services.audit.list({ action: 'people.imported' }))[0]!;
      assert.equal(summary.details.created, 1);

      // The same file again: the plan is no longer the one the dry run showed.
      const again = await submit('/admin/people/users/import', '/admin/people/users/import/apply', [['csv', csv], ['plan', fingerprint]]);
      assert.equal(again.status, 409);
      assert.equal(errorCodeOf(again), 'import.plan_changed');
    });

    it('refuses a file that is not CSV or has the wrong columns, with its code', async () => {
      const broken = await submit('/admin/people/users/import', '/admin/people/users/import/dry-run', [['csv', 'name,email\n"Open,quote@example.com']]);
      assert.equal(broken.status, 400);
      assert.equal(errorCodeOf(broken), 'import.csv_invalid');
      const columns = await submit('/admin/people/users/import', '/admin/people/users/import/dry-run', [['csv', 'fullname,mail\nA,a@example.com']]);
      assert.equal(errorCodeOf(columns), 'import.csv_invalid');
    });
  });

  describe('API', () => {
    it('imports through a dry run and its fingerprint; applying without one is refused', async () => {
      const csv = 'name,email\nDee Api,dee@example.com\n';
      const noPlan = await api('POST', '/api/v1/users/import', { csv, dryRun: false });
      assert.equal(noPlan.status, 400);
      assert.equal(noPlan.json.error.code, 'request.invalid');
      const dry = await api('POST', '/api/v1/users/import', { csv, dryRun: true });
      assert.equal(dry.status, 200);
      assert.deepEqual(dry.json.import.counts, { created: 1, updated: 0, unchanged: 0, refused: 0 });
      assert.equal(await personByEmail('users', 'dee@example.com'), undefined);
      const applied = await api('POST', '/api/v1/users/import', { csv, dryRun: false, plan: dry.json.import.fingerprint });
      assert.equal(applied.status, 200);
      assert.ok(applied.json.import.rows[0].personId);
      assert.ok(await personByEmail('users', 'dee@example.com'));
    });

    it('audits admin rights given and taken through the API', async () => {
      const created = await api('POST', '/api/v1/agents', { name: 'Ola Admin', email: 'ola@example.com', isAdmin: true });
      assert.equal(created.status, 201);
      const id = created.json.person.id;
      assert.equal((await server.services.audit.list({ action: 'person.admin_granted', targetId: id })).length, 1);
      assert.equal((await api('PATCH', `/api/v1/agents/${id}`, { isAdmin: false })).status, 200);
      const revoked = (await server.services.audit.list({ action: 'person.admin_revoked', targetId: id }))[0]!;
      assert.equal(revoked.actor.type, 'api_key');
    });

    it('a file without a usergroups column leaves usergroups as they are', async () => {
      const robin = (await personByEmail('users', 'robin@example.com'))!;
      assert.deepEqual(robin.usergroups.map((g) => g.name), ['Customers']);
      const csv = 'name,email\nRobin Plain,robin@example.com\n';
      const dry = await api('POST', '/api/v1/users/import', { csv, dryRun: true });
      assert.deepEqual(dry.json.import.rows[0].changes, ['name']);
      await api('POST', '/api/v1/users/import', { csv, dryRun: false, plan: dry.json.import.fingerprint });
      const after = (await server.services.people.get(robin.id))!;
      assert.equal(after.name, 'Robin Plain');
      assert.deepEqual(after.usergroups.map((g) => g.name), ['Customers']);
    });

    it('refuses too many rows with import.too_large', async () => {
      const rows = Array.from({ length: 1001 }, (_, i) => `P${i},p${i}@e.io`);
      const response = await api('POST', '/api/v1/users/import', { csv: `name,email\n${rows.join('\n')}`, dryRun: true });
      assert.equal(response.status, 413);
      assert.equal(response.json.error.code, 'import.too_large');
    });

    it('sends a reset link and keeps an added email unproven unless verified is set', async () => {
      const dee = (await personByEmail('users', 'dee@example.com'))!;
      assert.equal((await api('POST', `/api/v1/users/${dee.id}/password-reset`)).json.sent, true);
      await mailbox.next('dee@example.com', /Reset your password/);
      const patched = await api('PATCH', `/api/v1/users/${dee.id}`, {
        emails: [{ email: 'dee@example.com', primary: true }, { email: 'dee2@example.com', verified: true }, { email: 'dee3@example.com' }],
      });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.json.person.emails.map((e: { verified: boolean }) => e.verified), [false, true, false]);
      const agent = await api('POST', `/api/v1/agents/${dee.id}/password-reset`);
      assert.equal(agent.status, 404, 'a User id is not found under /agents');
    });
  });
});
