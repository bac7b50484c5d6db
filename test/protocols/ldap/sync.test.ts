import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Change, Attribute } from 'ldapts';
import { parseLdapConfig, type LdapConfig } from '../../../src/protocols/ldap/settings.ts';
import { syncDirectory } from '../../../src/protocols/ldap/sync.ts';
import { listSyncRuns } from '../../../src/protocols/ldap/sync-runs.ts';
import { DEFAULT_SYNC_INTERVAL_MS, runDueDirectorySyncs } from '../../../src/protocols/ldap/sync-schedule.ts';
import type { Database } from '../../../src/storage/database.ts';
import { freshDatabase } from '../../helpers/database.ts';
import { SERVICE_DN, SERVICE_PASSWORD, Slapd, SUFFIX } from '../../peers/slapd.ts';

const secrets = { bindPassword: SERVICE_PASSWORD };
const actor = { type: 'system' } as const;

async function ldapApp(db: Database, audience: 'users' | 'agents' = 'users') {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO auth_apps (slug, audience, type, name) VALUES ($1, $2, 'ldap', 'Directory') RETURNING id`,
    [`ldap-${randomBytes(4).toString('hex')}`, audience],
  );
  return { id: row!.id, audience };
}

async function usergroup(db: Database, name: string): Promise<string> {
  const [row] = await db.query<{ id: string }>('INSERT INTO usergroups (name) VALUES ($1) RETURNING id', [name]);
  return row!.id;
}

type Linked = { name: string; email: string; disabled: boolean; groups: string[] };
/** The people linked to the app, by email: what a sync leaves behind, read straight from the tables. */
async function linkedPeople(db: Database, appId: string): Promise<Map<string, Linked>> {
  const rows = await db.query<{ name: string; email: string; disabled: boolean; groups: string[] }>(
    `SELECT p.name, e.email, p.disabled_at IS NOT NULL AS disabled,
            ARRAY(SELECT g.name FROM person_usergroups pu JOIN usergroups g ON g.id = pu.usergroup_id WHERE pu.person_id = p.id ORDER BY g.name) AS groups
       FROM identities i JOIN people p ON p.id = i.person_id JOIN person_emails e ON e.person_id = p.id AND e.is_primary
      WHERE i.app_id = $1`,
    [appId],
  );
  return new Map(rows.map((r) => [r.email, r]));
}

async function countPeople(db: Database): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM people');
  return row!.n;
}

describe('LDAP directory sync against slapd', () => {
  let slapd: Slapd;
  let db: Database;
  let config: LdapConfig;

  before(async () => {
    [slapd, db] = await Promise.all([Slapd.start(), freshDatabase()]);
    config = parseLdapConfig({ preset: 'openldap', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, baseDn: SUFFIX, pageSize: 1 });
  });
  after(async () => Promise.all([slapd?.stop(), db?.close()]));
  // Each case starts with nobody: the directory's emails are unique per audience.
  beforeEach(async () => {
    await db.query('DELETE FROM people');
  });

  it('dry run reports what a run would do and writes nothing but its report and audit event', async () => {
    const app = await ldapApp(db);
    const before = await countPeople(db);
    const { runId, report } = await syncDirectory({ db, app, config, secrets, dryRun: true, actor });
    assert.equal(report.listed, 4); // two OpenLDAP people and two AD-shaped entries, one a page
    assert.equal(report.created, 2);
    assert.deepEqual(report.refused.map((r) => r.reason), ['no uid', 'no uid']); // AD entries have no uid
    assert.deepEqual(report.changes.map((c) => c.change), ['create', 'create']);
    assert.equal(await countPeople(db), before);
    const [run] = await listSyncRuns(db, app.id);
    assert.equal(run!.id, runId);
    assert.equal(run!.dryRun, true);
    assert.equal(run!.status, 'succeeded');
    assert.equal(run!.report.created, 2);
    const [event] = await db.query<{ action: string; details: { created: number } }>(
      "SELECT action, details FROM audit_events WHERE target_id = $1 AND action LIKE 'ldap.%'", [app.id]);
    assert.equal(event!.action, 'ldap.sync_dry_run');
    assert.equal(event!.details.created, 2);
  });

  it('creates people with their mapped usergroups, refuses an email an unlinked account holds, then updates and removes groups', async () => {
    const app = await ldapApp(db);
    const support = await usergroup(db, `Support ${app.id.slice(0, 6)}`);
    const vip = await usergroup(db, `VIP ${app.id.slice(0, 6)}`);
    const mapped = { ...config, loginActions: { addUsergroupIds: [], groupMappings: [{ group: 'support', usergroupId: support }, { group: `cn=vip,ou=groups,${SUFFIX}`, usergroupId: vip }] } };
    const [squatter] = await db.query<{ id: string }>("INSERT INTO people (audience, name) VALUES ('users', 'Not Linus') RETURNING id");
    await db.query("INSERT INTO person_emails (person_id, audience, email, is_primary) VALUES ($1, 'users', 'linus@example.test', true)", [squatter!.id]);

    const first = await syncDirectory({ db, app, config: mapped, secrets, dryRun: false, actor });
    assert.equal(first.report.created, 1);
    assert.ok(first.report.refused.some((r) => r.entry.startsWith('uid=linus') && /never linked by email alone/.test(r.reason)));
    let people = await linkedPeople(db, app.id);
    assert.deepEqual([...people.keys()], ['grace@example.test']);
    assert.deepEqual(people.get('grace@example.test')!.groups, [`Support ${app.id.slice(0, 6)}`, `VIP ${app.id.slice(0, 6)}`]);

    await db.query('DELETE FROM people WHERE id = $1', [squatter!.id]);
    await slapd.asRoot(async (client) => {
      await client.modify(`cn=vip,ou=groups,${SUFFIX}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'member', values: [`uid=linus,ou=people,${SUFFIX}`] }) }));
      await client.modify(`uid=grace,ou=people,${SUFFIX}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: ['Grace B. Hopper'] }) }));
    });
    const second = await syncDirectory({ db, app, config: mapped, secrets, dryRun: false, actor });
    assert.deepEqual({ created: second.report.created, updated: second.report.updated }, { created: 1, updated: 1 });
    people = await linkedPeople(db, app.id);
    assert.equal(people.get('grace@example.test')!.name, 'Grace B. Hopper');
    assert.deepEqual(people.get('grace@example.test')!.groups, [`Support ${app.id.slice(0, 6)}`]);
    assert.deepEqual(people.get('linus@example.test')!.groups, [`VIP ${app.id.slice(0, 6)}`]);

    const third = await syncDirectory({ db, app, config: mapped, secrets, dryRun: false, actor });
    assert.deepEqual({ created: third.report.created, updated: third.report.updated, unchanged: third.report.unchanged }, { created: 0, updated: 0, unchanged: 2 });
  });

  it('disables and signs out someone removed from the directory, keeping the account; a dry run only reports it', async () => {
    const app = await ldapApp(db);
    await syncDirectory({ db, app, config, secrets, dryRun: false, actor });
    const [linus] = await db.query<{ person_id: string }>("SELECT person_id FROM identities WHERE app_id = $1 AND email = 'linus@example.test'", [app.id]);
    await db.query(
      `INSERT INTO sessions (token_hash, person_id, audience, idle_expires_at, absolute_expires_at)
       VALUES ($1, $2, 'users', now() + interval '1 hour', now() + interval '1 day')`,
      [randomBytes(32), linus!.person_id],
    );
    await slapd.asRoot((client) => client.del(`uid=linus,ou=people,${SUFFIX}`));
    try {
      const dry = await syncDirectory({ db, app, config, secrets, dryRun: true, actor });
      assert.equal(dry.report.removed, 1);
      assert.equal((await linkedPeople(db, app.id)).get('linus@example.test')!.disabled, false);

      const run = await syncDirectory({ db, app, config, secrets, dryRun: false, actor });
      assert.equal(run.report.removed, 1);
      assert.equal((await linkedPeople(db, app.id)).get('linus@example.test')!.disabled, true);
      const sessions = await db.query<{ revoked_reason: string | null }>('SELECT revoked_reason FROM sessions WHERE person_id = $1', [linus!.person_id]);
      assert.deepEqual(sessions.map((s) => s.revoked_reason), ['ldap_sync_removed']);
      const events = await db.query<{ reason: string }>("SELECT reason FROM audit_events WHERE action = 'person.disabled' AND target_id = $1", [linus!.person_id]);
      assert.deepEqual(events.map((e) => e.reason), ['ldap_sync_removed']);
    } finally {
      await slapd.asRoot((client) => client.add(`uid=linus,ou=people,${SUFFIX}`, {
        objectClass: 'inetOrgPerson', uid: 'linus', cn: 'Linus Torvalds', sn: 'Torvalds', mail: 'linus@example.test', userPassword: 'linus-password',
      }));
    }
  });

  it('syncs the AD preset by objectGUID and refuses to create an account disabled in the directory', async () => {
    const app = await ldapApp(db);
    const ad = parseLdapConfig({ preset: 'active-directory', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, baseDn: SUFFIX });
    const { report } = await syncDirectory({ db, app, config: ad, secrets, dryRun: false, actor });
    assert.equal(report.created, 1);
    assert.deepEqual(report.refused, [{ entry: `cn=Bob Disabled,ou=ad,${SUFFIX}`, reason: 'disabled in the directory, not created' }]);
    const subjects = await db.query<{ subject: string }>('SELECT subject FROM identities WHERE app_id = $1', [app.id]);
    assert.deepEqual(subjects.map((s) => s.subject), ['04030201-0605-0807-090a-0b0c0d0e0f10']);
  });

  it('runs one sync of an app at a time, and takes over a run whose node stopped renewing it', async () => {
    const app = await ldapApp(db);
    await db.query("INSERT INTO ldap_sync_runs (app_id, dry_run, status) VALUES ($1, false, 'running')", [app.id]);
    await assert.rejects(syncDirectory({ db, app, config, secrets, dryRun: false, actor }), { code: 'sso.ldap.sync_running', status: 409 });
    await db.query("UPDATE ldap_sync_runs SET heartbeat_at = now() - interval '1 hour' WHERE app_id = $1", [app.id]);
    const { report } = await syncDirectory({ db, app, config, secrets, dryRun: false, actor });
    assert.equal(report.created, 2);
    const runs = await listSyncRuns(db, app.id);
    assert.deepEqual(runs.map((r) => [r.status, r.errorCode]).sort(), [['failed', 'sync.abandoned'], ['succeeded', null]]);
  });

  it('a directory that goes down mid-sync fails the run, leaves every person whole and disables no one', async () => {
    const dying = await Slapd.start();
    try {
      const app = await ldapApp(db);
      const cfg = { ...config, url: dying.ldapsUrl, caPem: dying.caPem, timeoutMs: 2_000 };
      await syncDirectory({ db, app, config: cfg, secrets, dryRun: false, actor });
      await dying.asRoot(async (client) => {
        for (const uid of ['grace', 'linus']) {
          await client.modify(`uid=${uid},ou=people,${SUFFIX}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: [`${uid} renamed`] }) }));
        }
      });
      // The directory stops right after the page that held the first changed person (one a page).
      let stopped = false;
      const onPage = async (report: { updated: number }) => {
        if (report.updated === 1 && !stopped) {
          stopped = true;
          await dying.stop();
        }
      };
      await assert.rejects(syncDirectory({ db, app, config: cfg, secrets, dryRun: false, actor, onPage }), { code: 'sso.ldap.unreachable' });
      const people = await linkedPeople(db, app.id);
      assert.equal(people.size, 2);
      const names = [...people.values()].map((p) => p.name).sort();
      // The first person was written whole before the directory went; the other kept the old name.
      assert.equal(names.filter((n) => n.endsWith(' renamed')).length, 1);
      assert.ok([...people.values()].every((p) => !p.disabled));
      const [run] = await listSyncRuns(db, app.id);
      assert.deepEqual([run!.status, run!.errorCode, run!.report.updated, run!.report.removed], ['failed', 'sso.ldap.unreachable', 1, 0]);
    } finally {
      await dying.stop(); // idempotent: the test may have stopped it already
    }
  });

  it('the schedule syncs an app once a day: not again within the interval, again after it; a dry run does not count', async () => {
    const app = await ldapApp(db);
    const t0 = new Date('2026-12-02T03:00:00Z');
    await syncDirectory({ db, app, config, secrets, dryRun: true, actor, clock: { now: () => new Date(t0.getTime() - 60_000) } });
    const first = await runDueDirectorySyncs(db, [{ app, config, secrets }], t0);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.report!.created, 2);
    const later = new Date(t0.getTime() + DEFAULT_SYNC_INTERVAL_MS - 60_000);
    assert.deepEqual(await runDueDirectorySyncs(db, [{ app, config, secrets }], later), []);
    const nextDay = new Date(t0.getTime() + DEFAULT_SYNC_INTERVAL_MS);
    const again = await runDueDirectorySyncs(db, [{ app, config, secrets }], nextDay);
    assert.equal(again[0]!.report!.unchanged, 2);
    const runs = await listSyncRuns(db, app.id);
    assert.deepEqual(runs.map((r) => r.dryRun), [false, false, true]);
  });

  it('never disables the last active admin, whatever the directory says; Agents are not created by a listing', async () => {
    const app = await ldapApp(db, 'agents');
    const ad = parseLdapConfig({ preset: 'active-directory', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, baseDn: SUFFIX });
    const admin = async (name: string, subject: string) => {
      const [row] = await db.query<{ id: string }>("INSERT INTO people (audience, name, is_admin) VALUES ('agents', $1, true) RETURNING id", [name]);
      await db.query("INSERT INTO identities (app_id, audience, subject, person_id) VALUES ($1, 'agents', $2, $3)", [app.id, subject, row!.id]);
      return row!.id;
    };
    const adminDisabled = async (id: string) => (await db.query<{ d: boolean }>('SELECT disabled_at IS NOT NULL AS d FROM people WHERE id = $1', [id]))[0]!.d;
    const first = await admin('Only Admin', 'not-in-the-directory-1');
    const lone = await syncDirectory({ db, app, config: ad, secrets, dryRun: false, actor });
    assert.equal(lone.report.removed, 0);
    assert.deepEqual(lone.report.refused.map((r) => r.reason), [
      'not an Agent yet (Agents are created at sign-in with Auto Agent)',
      'disabled in the directory, not created',
      'the last active admin is never disabled by a sync',
    ]);
    assert.equal(await adminDisabled(first), false);
    await db.query("INSERT INTO people (audience, name, is_admin) VALUES ('agents', 'Another Admin', true)");
    const run = await syncDirectory({ db, app, config: ad, secrets, dryRun: false, actor });
    assert.equal(run.report.removed, 1);
    assert.equal(await adminDisabled(first), true);
  });
});
