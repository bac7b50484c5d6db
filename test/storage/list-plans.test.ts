import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedScale, RARE_ACTION } from '../../bench/lib/seed-scale.ts';
import { AuditLog } from '../../src/core/audit.ts';
import type { ListPage } from '../../src/core/list-cursor.ts';
import { PeopleDirectory } from '../../src/core/people.ts';
import { SessionStore } from '../../src/core/sessions.ts';
import { SsoTraces } from '../../src/core/sso-traces.ts';
import type { Database } from '../../src/storage/database.ts';
import { freshDatabase } from '../helpers/database.ts';

// No admin list may be made slow by the size of the data (issue 20). Checked by the plans the
// database makes for the very SQL each list sends, on 100,000 people (and as many sessions and
// SSO traces, 200,000 audit events): every table is reached through an index, never a
// sequential scan, and each list's own index is among those used. The plans, not the clock:
// timings on a shared machine prove nothing; a plan that reads the table does, at any size.

const PEOPLE = 100_000;
const BIG_TABLES = ['people', 'person_emails', 'sessions', 'sso_traces', 'audit_events', 'identities', 'person_usergroups'];

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe('admin list query plans on 100,000 people', () => {
  let db: Database;
  const sent: { text: string; params: readonly unknown[] }[] = [];
  let people: PeopleDirectory;
  let sessions: SessionStore;
  let traces: SsoTraces;
  let audit: AuditLog;
  let appId: string;

  before(async () => {
    db = await freshDatabase();
    await seedScale(db, { people: PEOPLE, sessions: PEOPLE, traces: PEOPLE, audit: 2 * PEOPLE });
    // The lists' SQL, recorded as they send it, then run for real.
    const recording: Database = Object.assign(Object.create(db) as Database, {
      query: (text: string, params: readonly unknown[] = []) => {
        sent.push({ text, params });
        return db.query(text, params);
      },
    });
    const clock = { now: () => new Date() };
    people = new PeopleDirectory(recording);
    sessions = new SessionStore(recording, clock, { idleMs: 3_600_000, absoluteMs: 86_400_000 });
    traces = new SsoTraces(recording, clock);
    audit = new AuditLog(recording);
    appId = (await db.query<{ id: string }>("SELECT id FROM auth_apps WHERE slug = 'password-users'"))[0]!.id;
  });
  after(async () => db?.close());

  /** Runs one list, then EXPLAINs the statement it sent, with the same parameters. */
  async function planOf<T>(list: () => Promise<ListPage<T>>): Promise<{ page: ListPage<T>; nodes: PlanNode[] }> {
    sent.length = 0;
    const page = await list();
    assert.equal(sent.length, 1, 'one statement per page');
    const [{ text, params }] = sent as [{ text: string; params: readonly unknown[] }];
    assert.doesNotMatch(text, /\bOFFSET\b/i);
    const [row] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const plan = row!['QUERY PLAN'];
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [{ Plan: PlanNode }];
    return { page, nodes: nodesOf(parsed[0].Plan) };
  }

  function assertIndexed(nodes: PlanNode[], expected: string[], label: string): void {
    const scanned = nodes.filter((n) => n['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(n['Relation Name'] ?? '')).map((n) => n['Relation Name']);
    const summary = nodes.map((n) => `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : n['Relation Name'] ? ` ${n['Relation Name']}` : ''}`).join(' > ');
    assert.deepEqual(scanned, [], `${label}: no sequential scan of a large table (${summary})`);
    const used = new Set(nodes.map((n) => n['Index Name']).filter(Boolean));
    assert.ok(expected.some((name) => used.has(name)), `${label}: uses ${expected.join(' or ')} (${summary})`);
  }

  it('people: first, next and last pages of each audience, by the (audience, created_at, id) index', async () => {
    const first = await planOf(() => people.page({ audience: 'users' }));
    assert.equal(first.page.items.length, 50);
    assertIndexed(first.nodes, ['people_audience_created'], 'first page');
    const second = await planOf(() => people.page({ audience: 'users', after: first.page.next! }));
    assert.ok(second.page.items[0]!.createdAt >= first.page.items.at(-1)!.createdAt, 'the next page starts after the first');
    assert.equal(new Set([...first.page.items, ...second.page.items].map((p) => p.id)).size, 100, 'no row twice');
    assertIndexed(second.nodes, ['people_audience_created'], 'next page');
    // The last page: the cursor of the newest User but a few.
    let cursor = first.page.next!;
    const [late] = await db.query<{ created_at: string; id: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, id::text FROM people
        WHERE audience = 'users' ORDER BY created_at DESC, id DESC OFFSET 10 LIMIT 1`,
    );
    cursor = Buffer.from(JSON.stringify([late!.created_at, late!.id])).toString('base64url');
    const last = await planOf(() => people.page({ audience: 'users', after: cursor }));
    assert.equal(last.page.items.length, 10);
    assert.equal(last.page.next, null, 'the last page has no next');
    assertIndexed(last.nodes, ['people_audience_created'], 'last page');
    assertIndexed((await planOf(() => people.page({ audience: 'agents', limit: 500 }))).nodes, ['people_audience_created'], 'agents');
  });

  it('people search: a rare email, a rare name and a common string, each through an index', async () => {
    // With an `@`, the local part's end is a range of the reversed-local-part index (0011);
    // the trigram index read the posting lists of `per`, `son`, `@ex`, ... for it.
    const rareEmail = await planOf(() => people.page({ audience: 'users', query: 'PERSON4242@' }));
    assert.deepEqual(rareEmail.page.items.map((p) => p.emails[0]!.email), ['person4242@example.com']);
    assertIndexed(rareEmail.nodes, ['person_emails_local_reversed'], 'rare email');
    assertIndexed(rareEmail.nodes, ['people_name_with_at'], 'rare email, names that contain an @');
    const fullEmail = await planOf(() => people.page({ audience: 'users', query: 'son4242@example.c' }));
    assert.deepEqual(fullEmail.page.items.map((p) => p.emails[0]!.email), ['person4242@example.com']);
    assertIndexed(fullEmail.nodes, ['person_emails_local_reversed'], 'a whole address');
    // Without one, or with too little before it, the trigram index as before.
    const fragment = await planOf(() => people.page({ audience: 'users', query: 'rson4242' }));
    assert.ok(fragment.page.items.some((p) => p.emails[0]!.email === 'person4242@example.com'));
    assertIndexed(fragment.nodes, ['person_emails_email_trgm'], 'rare email fragment');
    // A rare fragment of an address ANALYZE sampled into the histogram: at the default
    // statistics target it was estimated at 1% of the column and the planner walked every
    // person (CI met one by chance); migration 0017's finer histogram keeps it on the trigram index.
    const [stats] = await db.query<{ bounds: string }>(
      `SELECT histogram_bounds::text AS bounds FROM pg_stats
        WHERE schemaname = current_schema() AND tablename = 'person_emails' AND attname = 'email'`,
    );
    const sampled = stats!.bounds.replace(/[{}"]/g, '').split(',').map((b) => /^person(\d{4})\d@/.exec(b)?.[1]).filter(Boolean);
    assert.ok(sampled.length >= 10, 'the histogram holds seeded addresses');
    for (const digits of sampled.slice(0, 10)) {
      // `rson1234` is in person1234 and person12340-12349: 11 of 100,000, one of them sampled
      // (every 20th person is an Agent, seed-scale.ts).
      const held = await planOf(() => people.page({ audience: 'users', query: `rson${digits}` }));
      const holders = [Number(digits), ...Array.from({ length: 10 }, (_, i) => Number(digits) * 10 + i)].filter((g) => g % 20 !== 0);
      assert.deepEqual(held.page.items.map((p) => p.emails[0]!.email).sort(), holders.map((g) => `person${g}@example.com`).sort());
      assertIndexed(held.nodes, ['person_emails_email_trgm'], `a sampled fragment, rson${digits}`);
    }
    const rareName = await planOf(() => people.page({ audience: 'users', query: 'Smith 77777' }));
    assert.equal(rareName.page.items.length, 1);
    assertIndexed(rareName.nodes, ['people_name_trgm'], 'rare name');
    const common = await planOf(() => people.page({ audience: 'users', query: 'example.com' }));
    assert.equal(common.page.items.length, 50);
    assertIndexed(common.nodes, ['people_audience_created', 'person_emails_email_trgm'], 'common string');
    const next = await planOf(() => people.page({ audience: 'users', query: 'Lovelace', after: common.page.next! }));
    assertIndexed(next.nodes, ['people_audience_created', 'people_name_trgm'], 'search, next page');
  });

  it('sessions: all live, by audience, by person, next page', async () => {
    const all = await planOf(() => sessions.page({}));
    assert.equal(all.page.items.length, 100);
    assertIndexed(all.nodes, ['sessions_live_created'], 'all live');
    assertIndexed((await planOf(() => sessions.page({ audience: 'agents' }))).nodes, ['sessions_live_audience_created'], 'by audience');
    const personOf = all.page.items[0]!.personId;
    assertIndexed((await planOf(() => sessions.page({ personId: personOf }))).nodes, ['sessions_person_created'], 'by person');
    assertIndexed((await planOf(() => sessions.page({ audience: 'users', after: all.page.next! }))).nodes, ['sessions_live_audience_created', 'sessions_live_created'], 'next page');
  });

  it('SSO traces: all, by app, by outcome, by audience, next page', async () => {
    const all = await planOf(() => traces.page({}));
    assertIndexed(all.nodes, ['sso_traces_started'], 'all');
    assertIndexed((await planOf(() => traces.page({ appId }))).nodes, ['sso_traces_app_started', 'sso_traces_started'], 'by app');
    const failures = await planOf(() => traces.page({ outcome: 'failure' }));
    assert.ok(failures.page.items.every((t) => t.outcome === 'failure'));
    assertIndexed(failures.nodes, ['sso_traces_outcome_started'], 'by outcome');
    assertIndexed((await planOf(() => traces.page({ audience: 'agents' }))).nodes, ['sso_traces_started'], 'by audience');
    assertIndexed((await planOf(() => traces.page({ appId, outcome: 'success', after: all.page.next! }))).nodes, ['sso_traces_app_started', 'sso_traces_outcome_started', 'sso_traces_started'], 'next page');
  });

  it('audit: all, by actor, by target, by a rare and a common action, by a rare and a common prefix, next page', async () => {
    const all = await planOf(() => audit.page({}));
    assertIndexed(all.nodes, ['audit_events_pkey'], 'all');
    const actor = all.page.items.find((e) => e.actor.type === 'person')!.actor.id!;
    assertIndexed((await planOf(() => audit.page({ actorId: actor }))).nodes, ['audit_events_actor_id'], 'by actor');
    assertIndexed((await planOf(() => audit.page({ targetId: actor }))).nodes, ['audit_events_target_id'], 'by target');
    const rare = await planOf(() => audit.page({ action: RARE_ACTION }));
    assert.equal(rare.page.items.length, 20);
    assertIndexed(rare.nodes, ['audit_events_action_id'], 'rare action');
    const rarePrefix = await planOf(() => audit.page({ action: 'breakglass.*' }));
    assert.equal(rarePrefix.page.items.length, 20);
    assertIndexed(rarePrefix.nodes, ['audit_events_action_id'], 'rare prefix');
    assertIndexed((await planOf(() => audit.page({ action: 'signin.*' }))).nodes, ['audit_events_pkey', 'audit_events_action_id'], 'common prefix');
    assertIndexed((await planOf(() => audit.page({ action: 'signin.password' }))).nodes, ['audit_events_pkey', 'audit_events_action_id'], 'common action');
    const next = await planOf(() => audit.page({ audience: 'users', after: all.page.next! }));
    assert.ok(BigInt(next.page.items[0]!.id) < BigInt(all.page.items.at(-1)!.id));
    assertIndexed(next.nodes, ['audit_events_pkey'], 'next page');
  });

  it('refuses a cursor that is not one of the list (400 request.invalid), and a search too short to look up', async () => {
    await assert.rejects(people.page({ audience: 'users', after: 'bm90LWEtY3Vyc29y' }), { code: 'request.invalid' });
    await assert.rejects(audit.page({ after: Buffer.from(JSON.stringify(['1; DROP TABLE people'])).toString('base64url') }), { code: 'request.invalid' });
    await assert.rejects(people.page({ audience: 'users', query: 'ab' }), { code: 'request.invalid' });
  });
});
