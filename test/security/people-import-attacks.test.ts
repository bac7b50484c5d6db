import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IMPORT_LIMITS } from '../../src/core/people-import.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { csrfOf } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// An attacker's look at the CSV import of Users (issue 18): a file that would make someone an
// Agent or an admin, take over an existing account through its email, put a User on an Agent's
// address, land in a usergroup that does not exist, carry spreadsheet formulas, or exhaust the
// parser. Through the admin API (the console's dry run and apply share PeopleImport) and the
// console. test/http/admin-people.test.ts has the plain plan, apply and refusals.

const PASSWORD = 'correct horse battery';

describe('attacks on the people import', () => {
  let server: TestServer;
  let apiKey: string;
  let admin: TestClient;
  const api = (body: unknown) => server.client().sendJson('POST', '/api/v1/users/import', body, { authorization: `Bearer ${apiKey}` });
  const dryRun = async (csv: string) => {
    const answer = await api({ csv, dryRun: true });
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    return answer.json.import as { rows: { line: number; email: string; outcome: string; reason?: string; personId?: string }[]; fingerprint: string };
  };
  const apply = async (csv: string) => {
    const plan = await dryRun(csv);
    const answer = await api({ csv, dryRun: false, plan: plan.fingerprint });
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    return answer.json.import as typeof plan;
  };
  const personRow = (email: string) => server.services.db.query<{ id: string; audience: string; is_admin: boolean; password_hash: string | null; name: string; verified: boolean }>(
    `SELECT p.id, p.audience, p.is_admin, p.password_hash, p.name, e.verified_at IS NOT NULL AS verified
       FROM people p JOIN person_emails e ON e.person_id = p.id WHERE lower(e.email) = lower($1)`, [email]);

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    ({ key: apiKey } = await s.apiKeys.create('tests', null));
    await s.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await s.people.create({ audience: 'agents', name: 'Abe Agent', email: 'abe@example.com', password: PASSWORD });
    await s.people.create({ audience: 'users', name: 'Una User', email: 'una@example.com', password: PASSWORD, emailVerified: true });
    await s.usergroups.create('Customers');
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => server.close());

  it('refuses any column that would make an Agent, an admin, a password or a verified email: the header names only name, email, usergroups', async () => {
    for (const header of ['name,email,isAdmin', 'name,email,audience', 'name,email,role', 'name,email,password', 'name,email,verified', 'name,email,usergroups,is_admin', 'name,email,email', 'name,email,__proto__']) {
      const refused = await createsNothing(server.services.db, () => api({ csv: `${header}\nMallory,mallory@example.com,true`, dryRun: true }));
      assertRefused(refused, 'import.csv_invalid');
    }
  });

  it('a row with the email of an existing User (any case) changes only the name it gives: no password, email proof, audience or session moves', async () => {
    const [before] = await personRow('una@example.com');
    const una = server.client();
    assert.equal((await una.signIn('una@example.com', PASSWORD)).status, 303);
    const applied = await apply('name,email,usergroups\nMallory Owns This,UNA@Example.COM,Customers\n');
    assert.equal(applied.rows[0]!.outcome, 'updated');
    assert.equal(applied.rows[0]!.personId, before!.id, 'the same person, not a second one');
    const [after] = await personRow('una@example.com');
    assert.equal(after!.name, 'Mallory Owns This');
    assert.equal(after!.password_hash, before!.password_hash, 'the password stays the owner\'s');
    assert.equal(after!.verified, true, 'the proof of the email stays');
    assert.equal(after!.audience, 'users');
    assert.equal((await una.get('/api/v1/session')).status, 200, 'the owner stays signed in');
    const mallory = server.client();
    assert.notEqual((await mallory.signIn('una@example.com', 'anything the file could have said')).status, 303);
  });

  it('matches addresses beyond ASCII the way the database does: the plan agrees with the unique index and with sign-in, on any collation', async () => {
    // JavaScript's toLowerCase and PostgreSQL's lower() part ways beyond ASCII: 'İ' becomes
    // 'i' plus a combining dot in one and 'i' in the other; 'É' is folded to 'é' only under a
    // collation that knows it. A plan keyed on JavaScript's called an address the database holds
    // (person_emails_unique, sign-in) "created", and the apply then refused it as taken.
    const s = server.services;
    const sameInDatabase = async (a: string, b: string) => (await s.db.query<{ same: boolean }>('SELECT lower($1) = lower($2) AS same', [a, b]))[0]!.same;
    const ivan = await s.people.create({ audience: 'users', name: 'Ivan', email: 'ivan@example.com', password: PASSWORD, emailVerified: true });
    const elodie = await s.people.create({ audience: 'users', name: 'Élodie', email: 'élodie@example.com', password: PASSWORD, emailVerified: true });
    const cases = [
      { csvEmail: 'İVAN@example.com', person: ivan, same: await sameInDatabase('İVAN@example.com', 'ivan@example.com') },
      { csvEmail: 'ÉLODIE@example.com', person: elodie, same: await sameInDatabase('ÉLODIE@example.com', 'élodie@example.com') },
    ];
    assert.equal(cases[0]!.same, true, 'lower() folds İ to i under every collation');
    for (const { csvEmail, person, same } of cases) {
      assert.equal((await s.people.findForSignIn('users', csvEmail))?.person.id === person.id, same, `sign-in and lower() agree for ${csvEmail} (the premise)`);
    }

    const csv = `name,email\n${cases.map((c) => `${c.person.name} Renamed,${c.csvEmail}`).join('\n')}\nÉmile,ÉMILE@example.com\nÉmile Twice,émile@example.com\n`;
    const plan = await dryRun(csv);
    const emileTwice = await sameInDatabase('ÉMILE@example.com', 'émile@example.com');
    assert.deepEqual(plan.rows.map((r) => r.outcome), [
      ...cases.map((c) => (c.same ? 'updated' : 'created')), ...(emileTwice ? ['refused', 'refused'] : ['created', 'created']),
    ]);
    cases.forEach((c, i) => c.same && assert.equal(plan.rows[i]!.personId, c.person.id));
    const applied = await apply(csv);
    assert.deepEqual(applied.rows.map((r) => r.outcome), plan.rows.map((r) => r.outcome), 'the apply does what the plan said: nothing refused as taken');
    assert.equal((await s.people.get(ivan.id))?.name, 'Ivan Renamed');
  });

  it("refuses a User row on an Agent's or an admin's address, in any case, creating nothing", async () => {
    await createsNothing(server.services.db, async () => {
      const plan = await dryRun('name,email\nFake Ada,ADA@example.com\nFake Abe,abe@EXAMPLE.com\n');
      assert.deepEqual(plan.rows.map((r) => [r.outcome, r.reason]), [['refused', 'agent_email'], ['refused', 'agent_email']]);
      const answer = await api({ csv: 'name,email\nFake Ada,ADA@example.com\nFake Abe,abe@EXAMPLE.com\n', dryRun: false, plan: plan.fingerprint });
      assert.equal(answer.status, 200);
    });
    const rows = await personRow('ada@example.com');
    assert.deepEqual(rows.map((r) => [r.audience, r.is_admin]), [['agents', true]]);
  });

  it('refuses a usergroup that does not exist, in any spelling, and takes Everyone and Registered as nothing', async () => {
    const plan = await dryRun('name,email,usergroups\nA,a1@example.com,Admins\nB,b1@example.com,Customers;customers ;Nowhere\nC,c1@example.com,__proto__\nD,d1@example.com,Everyone;Registered\n');
    assert.deepEqual(plan.rows.map((r) => [r.outcome, r.reason]), [['refused', 'usergroup_unknown'], ['refused', 'usergroup_unknown'], ['refused', 'usergroup_unknown'], ['created', undefined]]);
    const applied = await apply('name,email,usergroups\nD,d1@example.com,Everyone;Registered\n');
    const groups = await server.services.db.query('SELECT 1 FROM person_usergroups WHERE person_id = $1', [applied.rows[0]!.personId]);
    assert.equal(groups.length, 0, 'the system groups are implicit: no row');
  });

  it('keeps spreadsheet formulas as plain text, answered only as JSON or escaped HTML, never as a CSV', async () => {
    const formulas = ['=cmd|\' /C calc\'!A0', '+HYPERLINK("https://evil.example","Click")', '@SUM(1+1)*cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0'];
    const csv = `name,email\n${formulas.map((f, i) => `"${f.replaceAll('"', '""')}",formula${i}@example.com`).join('\n')}\n`;
    const answer = await api({ csv, dryRun: true });
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    const page = await admin.get('/admin/people/users/import');
    const dry = await admin.postForm('/admin/people/users/import/dry-run', { _csrf: csrfOf(page.text), csv: `${csv}"<script>alert(1)</script>",xss@example.com\n` });
    assert.equal(dry.status, 200);
    assert.match(dry.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(dry.headers.get('content-disposition'), null, 'nothing is offered as a file to open in a spreadsheet');
    assert.doesNotMatch(dry.text, /<script>alert/);
    assert.ok(dry.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  it('refuses oversized files and records, and broken quoting, with their codes and nothing written', async () => {
    const cases: [unknown, Parameters<typeof assertRefused>[1]][] = [
      [{ csv: `name,email\n${'x'.repeat(IMPORT_LIMITS.maxCharacters)}`, dryRun: true }, 'request.invalid'],
      [{ csv: `name,email\n"${'x'.repeat(5000)}",big@example.com\n`, dryRun: true }, 'import.csv_invalid'],
      [{ csv: 'name,email\n"Open,quote@example.com\n', dryRun: true }, 'import.csv_invalid'],
      [{ csv: 'name,email\nA "B",ab@example.com\n', dryRun: true }, 'import.csv_invalid'],
      [{ csv: `name,email\n${Array.from({ length: IMPORT_LIMITS.maxRows + 1 }, (_, i) => `P${i},p${i}@x.io`).join('\n')}`, dryRun: true }, 'import.too_large'],
      [{ csv: '\uFEFF', dryRun: true }, 'import.csv_invalid'],
    ];
    for (const [body, code] of cases) {
      const refused = await createsNothing(server.services.db, () => api(body));
      assertRefused(refused, code);
    }
    // The console's form body is bounded before the parser sees it.
    const page = await admin.get('/admin/people/users/import');
    const tooBig = await admin.postForm('/admin/people/users/import/dry-run', { _csrf: csrfOf(page.text), csv: 'x'.repeat(70 * 1024) });
    assertRefused(tooBig, 'request.too_large');
  });

  it('refuses names and emails with control characters or header tricks, row by row', async () => {
    const plan = await dryRun('name,email\n"Eve\r\nBcc: all@example.com",eve@example.com\nEve Two,"eve2@example.com\r\nBcc: all@example.com"\n"Esc\u001b[2J",esc@example.com\n');
    assert.deepEqual(plan.rows.map((r) => [r.outcome, r.reason]), [['refused', 'name_invalid'], ['refused', 'email_invalid'], ['refused', 'name_invalid']]);
    // A NUL anywhere is refused for the whole request, before the import reads it.
    assertRefused(await createsNothing(server.services.db, () => api({ csv: 'name,email\n"Nul\u0000",nul@example.com\n', dryRun: true })), 'request.invalid');
  });

  it('applies only the plan its dry run showed: a fingerprint of another file is refused, nothing written', async () => {
    const shown = await dryRun('name,email\nHarmless,harmless@example.com\n');
    const refused = await createsNothing(server.services.db, () => api({ csv: 'name,email\nOther,other@example.com\n', dryRun: false, plan: shown.fingerprint }));
    assertRefused(refused, 'import.plan_changed');
    const forged = await createsNothing(server.services.db, () => api({ csv: 'name,email\nOther,other@example.com\n', dryRun: false, plan: 'x'.repeat(43) }));
    assertRefused(forged, 'import.plan_changed');
  });
});
