import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { refusalCode, setsSessionCookie } from '../helpers/attacks.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { freePort, PrivatePostgres } from '../helpers/private-postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
// How long the database stays away. Issue 9 asks for 30 s; the default keeps CI fast, and
// FAULT_OUTAGE_SECONDS=30 runs the full-length outage.
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_SECONDS ?? 3) * 1000;
const RECOVERY_DEADLINE_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs: number): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await sleep(100);
  }
}

// Runs on a PostgreSQL server of its own (never the shared one other tests use), whatever DATABASE_URL says.
describe('faults: the database goes away', () => {
  let pg: PrivatePostgres;

  before(async () => {
    pg = await PrivatePostgres.start();
  });
  after(async () => {
    await pg?.destroy();
  });

  it('sign-ins answer 503 service.unavailable without a session; ready fails, alive passes; it recovers by itself', async () => {
    const db = await openDatabase({ kind: 'postgres', url: pg.url, schema: 'outage', maxConnections: 10 });
    await db.query('CREATE SCHEMA IF NOT EXISTS outage');
    await migrate(db);
    let server: TestServer | undefined;
    try {
      server = await startTestServer({ database: db });
      const s = server.services;
      const secret = generateJwtSharedSecret();
      const jwtApp = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'outage-jwt', config: { remoteLoginUrl: 'https://www.example.com/login', sharedSecret: secret } }, { type: 'cli' });
      await s.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
      const signedIn = server.client();
      assert.equal((await signedIn.signIn('ann@example.com', PASSWORD)).status, 303);
      const browser = server.client();
      const csrf = await browser.csrfFrom('/login');
      const agentCsrf = await browser.csrfFrom('/agent/login');
      const tokens = await Promise.all(Array.from({ length: 4 }, (_, i) => signToken(claimsAt(new Date(), { email: `outage${i}@example.com` }), secret, { alg: 'HS256' })));

      // Load while the database goes: requests in flight when it stops must not be 5xx other than 503.
      let loading = true;
      const background: Promise<number>[] = [];
      const load = (async () => {
        while (loading) {
          const batch = Array.from({ length: 5 }, () => fetch(`${server!.url}/api/v1/session`, { headers: { cookie: [...signedIn.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } }).then((r) => r.status, () => 0));
          background.push(...batch);
          await Promise.all(batch);
        }
      })();
      await sleep(200);
      pg.stopServer();
      const downSince = Date.now();
      try {
        assert.equal((await fetch(`${server.url}/health/alive`)).status, 200);
        const ready = await fetch(`${server.url}/health/ready`);
        assert.equal(ready.status, 503);
        assert.equal(((await ready.json()) as { error: { code: string } }).error.code, 'service.unavailable');

        const password = await browser.postForm('/login', { _csrf: csrf, email: 'ann@example.com', password: PASSWORD });
        const agent = await browser.postForm('/agent/login', { _csrf: agentCsrf, email: 'ann@example.com', password: PASSWORD });
        const jwt = await browser.postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: tokens[0]! });
        // Forward auth may reuse a check of a live session for under a second (src/core/session-check.ts);
        // past that, it cannot answer either.
        const forward = await until('forward auth answers 503', async () => {
          const r = await signedIn.get('/api/v1/session');
          return r.status === 503 ? r : undefined;
        }, 5_000);
        for (const [name, response] of Object.entries({ password, agent, jwt, forward })) {
          assert.equal(response.status, 503, `${name}: ${response.status} ${response.text.slice(0, 300)}`);
          assert.equal(refusalCode(response), 'service.unavailable', name);
          assert.equal(setsSessionCookie(response), false, name);
        }
        assert.match(password.text, /Temporarily unavailable/);
        assert.match(password.text, /try again/i);
        assert.match(password.text, /trace <code>/);
        await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downSince)));
      } finally {
        pg.startServer();
      }
      const recovered = await until('/health/ready answers 200', async () => ((await fetch(`${server!.url}/health/ready`)).status === 200 ? true : undefined), RECOVERY_DEADLINE_MS);
      assert.equal(recovered, true);
      loading = false;
      await load;
      const statuses = await Promise.all(background);
      assert.ok(statuses.length > 0);
      for (const status of statuses) assert.ok([200, 503].includes(status), `forward auth under the outage answered ${status}`);

      // Recovered without a restart: every door works again, and nothing was stored for the refused attempts.
      const again = await server.client().signIn('ann@example.com', PASSWORD);
      assert.equal(again.status, 303);
      assert.equal((await server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: tokens[1]! })).status, 303);
      assert.equal((await signedIn.get('/api/v1/session')).status, 200, 'the session from before the outage still works');
      const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM person_emails WHERE email = 'outage0@example.com'")) as [{ n: number }];
      assert.equal(n, 0, 'the refused JWT sign-in stored nothing');
    } finally {
      await server?.close();
      await db.close();
    }
  });

  it('a process killed in the middle of provisioning leaves every account complete or absent', async () => {
    const url = pg.url;
    const setup: Database = await openDatabase({ kind: 'postgres', url, maxConnections: 2 });
    await setup.query('DROP SCHEMA IF EXISTS public CASCADE');
    await setup.query('CREATE SCHEMA public');
    await migrate(setup);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const secret = generateJwtSharedSecret();
    const { createServices } = await import('../../src/core/services.ts');
    const { testConfig } = await import('../helpers/services.ts');
    const services = await createServices(setup, testConfig({ PUBLIC_URL: publicUrl }));
    await services.apps.create({ audience: 'users', type: 'jwt', slug: 'jit', config: { remoteLoginUrl: 'https://www.example.com/login', sharedSecret: secret } }, { type: 'cli' });
    await services.mail.idle();

    const { DATABASE_URL: _shared, ...inherited } = process.env;
    const env = { ...inherited, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, PUBLIC_URL: publicUrl, LOG_LEVEL: 'error' };
    const child = spawn(process.execPath, ['src/cli/main.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await until('the child is ready', async () => ((await fetch(`${publicUrl}/health/ready`)).ok ? true : undefined), 120_000).catch((e) => {
        throw new Error(`${e.message}\n${output}`);
      });
      // 20 browsers keep signing new people in, one after another, until the process dies: at the
      // kill, 20 sign-ins are in flight (some inside their provisioning transaction).
      let next = 0;
      let answered = 0;
      const statuses: number[] = [];
      const worker = async () => {
        for (;;) {
          const i = next++;
          const jwt = await signToken(claimsAt(new Date(), { email: `jit${i}@example.com`, name: `Jit ${i}`, external_id: `ext-${i}` }), secret, { alg: 'HS256' });
          const status = await fetch(`${publicUrl}/sso/jit/jwt`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `jwt=${jwt}` })
            .then((r) => r.status, () => 0);
          statuses.push(status);
          if (status === 0) return;
          answered += 1;
        }
      };
      const workers = Array.from({ length: 20 }, worker);
      await until('some sign-ins answered', async () => (answered >= 40 ? true : undefined), 60_000);
      child.kill('SIGKILL');
      await exited;
      await Promise.all(workers);
      assert.ok(statuses.some((s) => s === 0), 'the kill interrupted sign-ins in flight');
      assert.ok(statuses.filter((s) => s === 303).length >= 40, 'and some had completed');

      // Every person the JWT app made has its email and its identity; nobody is half made.
      const rows = await setup.query<{ email: string | null; identities: number; name: string }>(
        `SELECT p.name, (SELECT min(e.email) FROM person_emails e WHERE e.person_id = p.id) AS email,
                (SELECT count(*)::int FROM identities i WHERE i.person_id = p.id) AS identities
           FROM people p WHERE p.name LIKE 'Jit %'`,
      );
      assert.ok(rows.length >= statuses.filter((s) => s === 303).length, 'every answered sign-in has its person');
      for (const row of rows) {
        assert.ok(row.email, `${row.name} has no email`);
        assert.equal(row.identities, 1, `${row.name} has ${row.identities} identities`);
      }
      const [orphans] = await setup.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = s.person_id)');
      assert.equal(orphans!.n, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await setup.close();
    }
  });
});
