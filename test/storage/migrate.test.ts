import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listMigrations, migrate, splitStatements } from '../../src/storage/migrate.ts';
import { freshDatabase } from '../helpers/database.ts';

describe('migrations', () => {
  it('are numbered without gaps from 0001', () => {
    const versions = listMigrations().map((m) => m.version);
    assert.deepEqual(versions, versions.map((_, i) => i + 1));
  });

  it('apply once; running again (or from several nodes at once) changes nothing', async () => {
    const db = await freshDatabase(); // already migrated once
    try {
      assert.deepEqual(await migrate(db), []);
      assert.deepEqual(await Promise.all([migrate(db), migrate(db)]), [[], []]);
      const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), listMigrations().map((m) => m.version));
    } finally {
      await db.close();
    }
  });

  it('enforce the invariants in the schema itself', async () => {
    const db = await freshDatabase();
    try {
      // Invariant 1: a second automatic app per audience is impossible even in raw SQL.
      await db.query(`INSERT INTO auth_apps (slug, audience, type, name, sso) VALUES ('a', 'users', 'oidc', 'A', 'automatic')`);
      await assert.rejects(db.query(`INSERT INTO auth_apps (slug, audience, type, name, sso) VALUES ('b', 'users', 'oidc', 'B', 'automatic')`), /auth_apps_one_automatic/);
      // Invariant 2: a User cannot be an admin, and an identity cannot join a User to an Agents app.
      await assert.rejects(db.query(`INSERT INTO people (audience, name, is_admin) VALUES ('users', 'U', true)`), /people_admin_is_agent/);
      const [user] = await db.query<{ id: string }>(`INSERT INTO people (audience, name) VALUES ('users', 'U') RETURNING id`);
      const [agentApp] = await db.query<{ id: string }>(`INSERT INTO auth_apps (slug, audience, type, name) VALUES ('c', 'agents', 'oidc', 'C') RETURNING id`);
      await assert.rejects(
        db.query(`INSERT INTO identities (app_id, audience, subject, person_id) VALUES ($1, 'users', 's', $2)`, [agentApp!.id, user!.id]),
        /foreign key/i,
      );
      await assert.rejects(
        db.query(`INSERT INTO identities (app_id, audience, subject, person_id) VALUES ($1, 'agents', 's', $2)`, [agentApp!.id, user!.id]),
        /foreign key/i,
      );
      // Emails are unique per audience regardless of case, but the same email may be a User and an Agent.
      await db.query(`INSERT INTO person_emails (person_id, audience, email) VALUES ($1, 'users', 'A@x.io')`, [user!.id]);
      const [other] = await db.query<{ id: string }>(`INSERT INTO people (audience, name) VALUES ('users', 'V') RETURNING id`);
      await assert.rejects(db.query(`INSERT INTO person_emails (person_id, audience, email) VALUES ($1, 'users', 'a@X.io')`, [other!.id]), /person_emails_unique/);
      const [agent] = await db.query<{ id: string }>(`INSERT INTO people (audience, name) VALUES ('agents', 'A') RETURNING id`);
      await db.query(`INSERT INTO person_emails (person_id, audience, email) VALUES ($1, 'agents', 'a@x.io')`, [agent!.id]);
    } finally {
      await db.close();
    }
  });
});

describe('splitting a migration into statements', () => {
  it('splits on statement ends, drops comments, and keeps a $$-quoted function body whole', () => {
    const sql = `-- a comment; with a semicolon\nCREATE TABLE a (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND\n$$;\nCREATE INDEX i ON a (id);\n`;
    assert.deepEqual(splitStatements(sql), [
      'CREATE TABLE a (id int)',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND\n$$',
      'CREATE INDEX i ON a (id)',
    ]);
  });
});
