import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { toFrontdoorError } from '../../src/http/errors.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { refusalCode, setsSessionCookie } from '../helpers/attacks.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { freePort, PrivatePostgres } from '../helpers/private-postgres.ts';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
// How long the database stays away. Issue 9 asks for 30 s: .ci/run's PostgreSQL pass sets
// FAULT_OUTAGE_SECONDS=30. The default of 3 s keeps `npm test` (and the PGlite pass, where this
// file runs the same private PostgreSQL) quick; every assertion is the same at either length.
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_SECONDS ?? 3) * 1000;
// Issue 9: the service recovers by itself within 10 s of the database returning.
const RECOVERY_DEADLINE_MS = 10_000;
// Forward auth may reuse a check of a live session for under a second (src/core/session-check.ts).
const SESSION_CHECK_REUSE_MS = 1_000;
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

/** One answer the server gave under load, with when it was asked and answered. */
type Answer = {
  door: 'password' | 'jwt' | 'forward' | 'alive' | 'ready';
  startedAt: number; endedAt: number; status: number;
  /** A 503 sign-in answer: the error page with `service.unavailable`, "try again" and a trace id. */
  clearPage: boolean;
  setsSession: boolean;
  /** The session cookie (name=value) a 303 set, to check afterwards that it was stored. */
  sessionCookie: string | undefined;
  detail: string;
};

function sessionCookieOf(response: TestResponse): string | undefined {
  return response.headers.getSetCookie().map((c) => c.split(';')[0]!).find((pair) => /^(__Host-)?fd_session_/.test(pair) && !pair.endsWith('='));
}

function isClearUnavailablePage(response: TestResponse): boolean {
  return response.status === 503 && refusalCode(response) === 'service.unavailable'
    && /Temporarily unavailable/.test(response.text) && /try again/i.test(response.text) && /trace <code>/.test(response.text);
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

  it('under load, sign-ins answer 503 with a clear page and never an unstored session; ready fails, alive passes; it recovers by itself within 10 s', async (t) => {
    const db = await openDatabase({ kind: 'postgres', url: pg.url, schema: 'outage', maxConnections: 10 });
    await db.query('CREATE SCHEMA IF NOT EXISTS outage');
    await migrate(db);
    let server: TestServer | undefined;
    let loading = true;
    let load: Promise<unknown> = Promise.resolve();
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

      // Load on every door, before, during and after the outage: password sign-ins (two
      // browsers), JIT sign-ins through JWT (two signing sites), forward auth (5 at a time) and
      // the health probes. Every answer is kept, with when it was asked and answered.
      const answers: Answer[] = [];
      const ask = async (door: Answer['door'], send: () => Promise<TestResponse>): Promise<TestResponse | undefined> => {
        const startedAt = Date.now();
        const response = await send().catch(() => undefined);
        answers.push({
          door, startedAt, endedAt: Date.now(), status: response?.status ?? 0,
          clearPage: response ? isClearUnavailablePage(response) : false,
          setsSession: response ? setsSessionCookie(response) : false,
          sessionCookie: response?.status === 303 ? sessionCookieOf(response) : undefined,
          detail: response ? `${response.status} ${response.location ?? response.text.slice(0, 200)}` : 'no answer (connection dropped)',
        });
        return response;
      };
      const passwordLoad = async () => {
        const client = server!.client();
        const token = await client.csrfFrom('/login');
        while (loading) {
          await ask('password', () => client.postForm('/login', { _csrf: token, email: 'ann@example.com', password: PASSWORD }));
          // Keep the CSRF cookie, drop the new session: the next attempt is a fresh sign-in again.
          for (const name of [...client.cookies.keys()]) if (/fd_session_/.test(name)) client.cookies.delete(name);
          await sleep(20);
        }
      };
      let jitCount = 0;
      const jwtLoad = async () => {
        while (loading) {
          const i = jitCount++;
          const token = await signToken(claimsAt(new Date(), { email: `load${i}@example.com`, name: `Load ${i}`, external_id: `load-${i}` }), secret, { alg: 'HS256' });
          await ask('jwt', () => server!.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: token }));
          await sleep(20);
        }
      };
      const forwardLoad = async () => {
        while (loading) {
          await Promise.all(Array.from({ length: 5 }, () => ask('forward', () => signedIn.get('/api/v1/session'))));
          await sleep(10);
        }
      };
      const healthProbes = async () => {
        while (loading) {
          await Promise.all([ask('alive', () => server!.client().get('/health/alive')), ask('ready', () => server!.client().get('/health/ready'))]);
          await sleep(250);
        }
      };
      load = Promise.all([passwordLoad(), passwordLoad(), jwtLoad(), jwtLoad(), forwardLoad(), healthProbes()]);
      // Stop only once sign-ins are going through at both doors (on a busy machine that takes a while).
      await until('password and JWT sign-ins succeed under load', async () => {
        const ok = (door: Answer['door']) => answers.some((a) => a.door === door && a.status === 303);
        return ok('password') && ok('jwt') ? true : undefined;
      }, 60_000);
      // A transaction holding its connection when the database goes (as a JIT sign-in does):
      // its connection dies under it. That must be a refusal of this one request, never an
      // uncaught 'error' event that ends the process (pg-pool leaves a checked-out client without
      // an error listener; src/storage/database.ts adds one).
      const holding = db.transaction(async (q) => {
        await q.query('SELECT pg_sleep(60)');
      }).then(() => undefined, (error: unknown) => error);
      await until('the transaction is inside its query', async () => {
        const rows = await db.query("SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'");
        return rows.length > 0 ? true : undefined;
      }, 10_000);
      pg.stopServer();
      const downSince = Date.now();
      assert.equal(toFrontdoorError(await holding).code, 'service.unavailable', 'a transaction cut off by the outage');
      let returningAt = downSince;
      try {
        assert.equal((await fetch(`${server.url}/health/alive`)).status, 200);
        const ready = await fetch(`${server.url}/health/ready`);
        assert.equal(ready.status, 503);
        assert.equal(((await ready.json()) as { error: { code: string } }).error.code, 'service.unavailable');

        const password = await browser.postForm('/login', { _csrf: csrf, email: 'ann@example.com', password: PASSWORD });
        const agent = await browser.postForm('/agent/login', { _csrf: agentCsrf, email: 'ann@example.com', password: PASSWORD });
        const jwt = await browser.postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: tokens[0]! });
        // Forward auth may reuse a check of a live session for under a second; past that, it cannot answer either.
        const forward = await until('forward auth answers 503', async () => {
          const r = await signedIn.get('/api/v1/session');
          return r.status === 503 ? r : undefined;
        }, 5_000);
        for (const [name, response] of Object.entries({ password, agent, jwt, forward })) {
          assert.equal(response.status, 503, `${name}: ${response.status} ${response.text.slice(0, 300)}`);
          assert.equal(refusalCode(response), 'service.unavailable', name);
          assert.equal(setsSessionCookie(response), false, name);
        }
        for (const [name, response] of Object.entries({ password, agent, jwt })) assert.ok(isClearUnavailablePage(response), `${name}: ${response.text.slice(0, 300)}`);
        while (Date.now() - downSince < OUTAGE_MS) await sleep(Math.max(1, OUTAGE_MS - (Date.now() - downSince)));
      } finally {
        returningAt = Date.now();
        pg.startServer();
      }
      // The database accepts connections again (pg_ctl -w returned). No restart, no call into
      // the server: it must find its way back by itself, and sign people in through every door.
      const backAt = Date.now();
      await until('/health/ready answers 200', async () => ((await fetch(`${server!.url}/health/ready`)).status === 200 ? true : undefined), RECOVERY_DEADLINE_MS);
      const readyAfterMs = Date.now() - backAt;
      const again = await until('a password sign-in succeeds', async () => {
        const r = await server!.client().signIn('ann@example.com', PASSWORD);
        return r.status === 303 ? r : undefined;
      }, RECOVERY_DEADLINE_MS);
      await until('a JWT sign-in succeeds', async () => {
        const token = await signToken(claimsAt(new Date(), { email: 'back@example.com' }), secret, { alg: 'HS256' });
        return (await server!.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: token })).status === 303 ? true : undefined;
      }, RECOVERY_DEADLINE_MS);
      const signInAfterMs = Date.now() - backAt;
      assert.equal(setsSessionCookie(again), true);
      assert.ok(signInAfterMs <= RECOVERY_DEADLINE_MS, `recovered ${signInAfterMs} ms after the database returned`);
      await sleep(500);
      loading = false;
      await load;

      const during = answers.filter((a) => a.startedAt >= downSince && a.endedAt <= returningAt);
      const by = (list: Answer[], door: Answer['door']) => list.filter((a) => a.door === door);
      t.diagnostic(`outage ${returningAt - downSince} ms; ready ${readyAfterMs} ms and password + JWT sign-ins ${signInAfterMs} ms after the database returned; ${answers.length} answers under load, ${during.length} inside the outage (password sign-ins ${by(during, 'password').length}, JWT sign-ins ${by(during, 'jwt').length}, forward auth ${by(during, 'forward').length}, health ${by(during, 'alive').length} + ${by(during, 'ready').length})`);

      // Every answer under load, whatever the phase: a door's normal answer or 503, never a dropped connection or a 500.
      const allowed: Record<Answer['door'], number[]> = { password: [303, 503], jwt: [303, 503], forward: [200, 503], alive: [200], ready: [200, 503] };
      for (const a of answers) assert.ok(allowed[a.door].includes(a.status), `${a.door} under load answered ${a.detail}`);
      // A sign-in refused for the outage: the clear page, and no session cookie.
      for (const a of answers.filter((x) => (x.door === 'password' || x.door === 'jwt') && x.status === 503)) {
        assert.ok(a.clearPage, `${a.door} 503 without the clear page: ${a.detail}`);
        assert.equal(a.setsSession, false, `${a.door} 503 set a session cookie`);
      }
      for (const a of by(answers, 'forward').filter((x) => x.status === 503)) assert.equal(a.setsSession, false);

      // Inside the outage: every sign-in at every door is refused, ready fails, alive passes, and
      // forward auth answers 200 only from a check made before the database went.
      for (const door of ['password', 'jwt', 'alive', 'ready', 'forward'] as const) {
        assert.ok(by(during, door).length >= 2, `${door}: only ${by(during, door).length} answers inside the outage`);
      }
      for (const a of [...by(during, 'password'), ...by(during, 'jwt'), ...by(during, 'ready')]) assert.equal(a.status, 503, `${a.door} inside the outage: ${a.detail}`);
      for (const a of by(during, 'alive')) assert.equal(a.status, 200);
      for (const a of by(during, 'forward').filter((x) => x.status === 200)) {
        assert.ok(a.startedAt < downSince + SESSION_CHECK_REUSE_MS, `forward auth 200 ${a.startedAt - downSince} ms into the outage`);
      }
      assert.ok(by(answers, 'password').some((a) => a.status === 303 && a.endedAt < downSince), 'password sign-ins succeeded before the outage');

      // Never a session that was not stored: every session cookie handed out under load opens a live session now.
      const handedOut = answers.filter((a) => a.sessionCookie);
      assert.ok(handedOut.length > 0);
      for (const a of handedOut) assert.ok(a.setsSession && a.status === 303);
      for (const a of handedOut) {
        const r: Response = await fetch(`${server.url}/api/v1/session`, { headers: { cookie: a.sessionCookie! } });
        assert.equal(r.status, 200, `a session cookie a ${a.door} sign-in set (${a.startedAt - downSince} ms from the outage) opens no session`);
      }
      // Every JIT sign-in that answered 303 made a whole person; every refused one made nothing.
      const jitRows = await db.query<{ email: string; identities: number }>(
        `SELECT e.email, (SELECT count(*)::int FROM identities i WHERE i.person_id = e.person_id) AS identities
           FROM person_emails e WHERE e.email LIKE 'load%@example.com'`,
      );
      const jitAnswered = by(answers, 'jwt').filter((a) => a.status === 303).length;
      assert.ok(jitRows.length >= jitAnswered, `${jitAnswered} JIT sign-ins answered 303 but ${jitRows.length} people exist`);
      for (const row of jitRows) assert.equal(row.identities, 1, `${row.email}`);

      // Recovered without a restart: every door works again, and nothing was stored for the refused attempts.
      assert.equal((await server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: tokens[1]! })).status, 303);
      assert.equal((await signedIn.get('/api/v1/session')).status, 200, 'the session from before the outage still works');
      const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM person_emails WHERE email = 'outage0@example.com'")) as [{ n: number }];
      assert.equal(n, 0, 'the refused JWT sign-in stored nothing');
    } finally {
      loading = false;
      await load.catch(() => {});
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
