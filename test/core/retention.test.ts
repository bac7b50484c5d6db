import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pruneExpired } from '../../src/core/retention.ts';
import type { Database, Queryable } from '../../src/storage/database.ts';
import { freshDatabase } from '../helpers/database.ts';

// Retention (issue 20): audit events and SSO traces older than the configured age go, in
// batches of a bounded size (each its own short transaction), and nothing younger goes.
describe('retention', () => {
  let db: Database;
  const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

  before(async () => {
    db = await freshDatabase();
    // 1,000 events and 1,000 traces, one a day back from today.
    await db.query(`INSERT INTO audit_events (at, action, outcome, actor_type) SELECT now() - make_interval(days => g), 'signin.password', 'success', 'anonymous' FROM generate_series(0, 999) g`);
    await db.query(`INSERT INTO sso_traces (id, audience, started_at) SELECT 'r' || g, 'users', now() - make_interval(days => g) FROM generate_series(0, 999) g`);
  });
  after(async () => db?.close());

  it('keeps everything with 0 days', async () => {
    const report = await pruneExpired(db, { auditDays: 0, traceDays: 0 }, new Date());
    assert.deepEqual(report, { audit: 0, traces: 0, batches: 0, skipped: false });
    assert.equal(await count('audit_events'), 1000);
  });

  it('deletes what is older than the age, in batches, and keeps the rest', async () => {
    const report = await pruneExpired(db, { auditDays: 365, traceDays: 30, batchSize: 100 }, new Date());
    // Days 365..999 of audit (635 rows: the one written 365 days before the insert is older
    // than 365 days now), days 30..999 of traces (970 rows), at most 100 a batch.
    assert.equal(report.audit, 635);
    assert.equal(report.traces, 970);
    assert.equal(report.batches, 7 + 10);
    assert.equal(await count('audit_events'), 365);
    assert.equal(await count('sso_traces'), 30);
    const [oldest] = await db.query<{ days: number }>('SELECT floor(extract(epoch FROM now() - min(at)) / 86400)::int AS days FROM audit_events');
    assert.ok(oldest!.days <= 365);
    assert.deepEqual(await pruneExpired(db, { auditDays: 365, traceDays: 30, batchSize: 100 }, new Date()), { audit: 0, traces: 0, batches: 2, skipped: false });
  });
});

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] };
const nodesOf = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];

// Each batch must be a range of the time index that starts past the rows the batch before
// deleted (docs/BENCHMARKS.md, "Retention"): unordered, PostgreSQL planned `at < $1 LIMIT n` as
// a sequential scan that read every young row before the old ones (2-5 s a batch at a million
// rows), and a range from the start walks the dead index entries of every batch before it.
// Checked by the plans of the statements the batches sent, not the clock.
describe('retention batches on 60,000 rows', () => {
  let db: Database;
  const batches: { text: string; params: readonly unknown[]; result: { at: string; id: string; deleted: number } | undefined }[] = [];

  before(async () => {
    db = await freshDatabase();
    // 50,000 due rows, many sharing a timestamp (ties across a batch boundary), 10,000 young.
    await db.query(`INSERT INTO audit_events (at, action, outcome, actor_type)
      SELECT CASE WHEN g <= 50000 THEN timestamptz '2020-01-01' + make_interval(secs => (g / 7) * 0.000001) ELSE now() - make_interval(secs => g) END,
             'signin.password', 'success', 'anonymous' FROM generate_series(1, 60000) g`);
    await db.query(`INSERT INTO sso_traces (id, audience, started_at)
      SELECT 'b' || g, 'users', CASE WHEN g <= 50000 THEN timestamptz '2020-01-01' + make_interval(secs => (g / 7) * 0.000001) ELSE now() - make_interval(secs => g) END
        FROM generate_series(1, 60000) g`);
    await db.query('ANALYZE audit_events');
    await db.query('ANALYZE sso_traces');
  });
  after(async () => db?.close());

  it('deletes every due row, each batch an index range starting past the last', async () => {
    // The batches' statements, recorded as sent inside their transactions.
    const recording: Database = Object.assign(Object.create(db) as Database, {
      transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
        db.transaction((tx) =>
          work({
            async query<Row>(text: string, params: readonly unknown[] = []) {
              const rows = await tx.query<Row>(text, params);
              if (text.includes('DELETE')) batches.push({ text, params, result: rows[0] as never });
              return rows;
            },
          }),
        ),
    });
    const report = await pruneExpired(recording, { auditDays: 30, traceDays: 30, batchSize: 5_000 }, new Date());
    assert.deepEqual(report, { audit: 50_000, traces: 50_000, batches: 11 + 11, skipped: false });
    assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events'))[0]!.n, 10_000);
    assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sso_traces'))[0]!.n, 10_000);

    for (const [table, index] of [['audit_events', 'audit_events_at'], ['sso_traces', 'sso_traces_started']] as const) {
      const mine = batches.filter((b) => b.text.includes(`DELETE FROM ${table}`));
      assert.equal(mine.length, 11);
      for (const [k, batch] of mine.entries()) {
        const [row] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${batch.text}`, batch.params);
        const plan = row!['QUERY PLAN'];
        const nodes = nodesOf(((typeof plan === 'string' ? JSON.parse(plan) : plan) as [{ Plan: PlanNode }])[0].Plan);
        const summary = nodes.map((n) => `${n['Node Type']} ${n['Index Name'] ?? n['Relation Name'] ?? ''}`).join(' > ');
        assert.deepEqual(nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']), [], `batch ${k + 1} of ${table}: no sequential scan (${summary})`);
        const range = nodes.find((n) => n['Index Name'] === index);
        assert.ok(range, `batch ${k + 1} of ${table}: finds its rows through ${index} (${summary})`);
        if (k === 0) {
          assert.equal(batch.params.length, 2, 'the first batch starts at the oldest row');
        } else {
          // Past the last row of the batch before: a row comparison in the index condition,
          // with that batch's last (time, id).
          assert.match(range['Index Cond'] ?? '', /ROW\(\w+, id\) > ROW\(/, `batch ${k + 1} of ${table}: ${range['Index Cond']}`);
          const previous = mine[k - 1]!.result!;
          assert.deepEqual(batch.params.slice(2), [previous.at, previous.id]);
        }
      }
    }
  });
});
