import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pruneExpired } from '../../src/core/retention.ts';
import type { Database } from '../../src/storage/database.ts';
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
