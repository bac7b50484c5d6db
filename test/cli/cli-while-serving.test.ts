import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { controlSocketPath, runOnServer } from '../../src/cli/control-socket.ts';
import { TestClient } from '../helpers/server.ts';
import { embeddedEnv, freePort, runCli, scratchPostgresDatabase, serverFailures, spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

// Issue 15: every CLI command works the same with the server running or stopped. A real
// `frontdoor serve` and the CLI as a second process, as an operator has them. On the embedded
// database (the default) the CLI goes through the server's control socket, since only one
// process may open the directory; with DATABASE_URL set (the suite's PostgreSQL pass) both open
// the server's database directly, on a scratch database of their own.
const POSTGRES = process.env.DATABASE_URL;
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another horse, another battery';

/** Every file under dir with its size and modification time: "not a byte touched". */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      const { size, mtimeMs } = statSync(path);
      return `${path} ${size} ${mtimeMs}`;
    })
    .sort();
}

describe(`the CLI while frontdoor serve runs (${POSTGRES ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServeProcess;
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let apiKey: string;
  const logs: string[] = [];
  const cli = (args: string[], input?: string) => runCli(args, env, { input });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-cli-serve-'));
    const port = await freePort();
    scratch = POSTGRES ? await scratchPostgresDatabase(POSTGRES) : undefined;
    env = embeddedEnv({
      PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, FRONTDOOR_DATA_DIR: join(dataDir, 'data'), LOG_LEVEL: 'info',
      // No background pruning: the owner writing its own WAL would blur what the second serve touched.
      AUDIT_RETENTION_DAYS: '0', SSO_TRACE_RETENTION_DAYS: '0',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    server = spawnServe(env);
    await server.waitFor(/"msg":"Frontdoor is serving"/);
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a second serve on the same data directory refuses at once (exit 75), before a byte of it changes', { skip: POSTGRES && 'several nodes on one PostgreSQL database are the normal case' }, async () => {
    // The owner flushes its own startup writes on its own schedule (later on a busy machine):
    // wait until its data directory is quiet, so every change seen after is the second serve's.
    let before = snapshot(join(dataDir, 'data'));
    for (let quiet = 0; quiet < 2;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = snapshot(join(dataDir, 'data'));
      quiet = JSON.stringify(now) === JSON.stringify(before) ? quiet + 1 : 0;
      before = now;
    }
    // Refused at once; on a build without the lock it would serve beside the first: stop it then.
    const second = await runCli(['serve'], { ...env, PORT: String(await freePort()) }, { timeoutMs: 60_000 });
    assert.equal(second.code, 75, second.stderr);
    assert.match(second.stderr, /is in use by another Frontdoor process \(pid \d+, serve\)/);
    assert.doesNotMatch(second.stdout + second.stderr, /migrat|EADDRINUSE/i);
    assert.deepEqual(snapshot(join(dataDir, 'data')), before);
    assert.equal((await fetch(`${server.url}/health/ready`)).status, 200);
  });

  it('the control socket is the data directory owner\'s only: mode 0600 in a 0700 directory; it runs only CLI commands', { skip: POSTGRES && 'no socket: the CLI opens PostgreSQL itself' }, async () => {
    const socket = controlSocketPath(join(dataDir, 'data'));
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'data', 'run')).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, 'data', 'frontdoor.pid')).mode & 0o777, 0o600);
    assert.equal((await runOnServer(socket, { argv: ['serve'] })).code, 64);
    assert.equal((await runOnServer(socket, { argv: ['help'] })).code, 64);
    assert.equal((await runOnServer(socket, { argv: 'app list' as unknown as string[] })).code, 64);
    const noPassword = await runOnServer(socket, { argv: ['admin', 'create', '--email', 'eve@example.com', '--name', 'Eve'] });
    assert.equal(noPassword.code, 64, 'no admin without a password');
    assert.match(noPassword.stderr, /needs a password/);
    const listed = await runOnServer(socket, { argv: ['app', 'list'] });
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /password-agents/);
  });

  it('admin create in a second process: the admin signs in at once (no 500), audited with the actor cli', async () => {
    const created = await cli(['admin', 'create', '--email', 'ada@example.com', '--name', 'Ada Admin', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created admin agent ada@example.com/);
    const browser = new TestClient(server.url);
    const signIn = await browser.signIn('ada@example.com', PASSWORD, 'agents');
    assert.equal(signIn.status, 303, signIn.text.slice(0, 500));
    const console = await browser.get('/admin/apps');
    assert.equal(console.status, 200);
    assert.match(console.text, /Admin console/);
  });

  it('apikey create in a second process: the running server accepts the key at once, and the audit rows are all there', async () => {
    const created = await cli(['apikey', 'create', '--name', 'provisioning']);
    assert.equal(created.code, 0, created.stderr);
    apiKey = created.stdout.trim();
    assert.match(apiKey, /^fdk_/);
    const apps = await fetch(`${server.url}/api/v1/apps`, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(apps.status, 200);
    const audit = await (await fetch(`${server.url}/api/v1/audit?limit=50`, { headers: { authorization: `Bearer ${apiKey}` } })).json() as { events: { action: string; actor: { type: string } }[] };
    const byCli = audit.events.filter((e) => e.actor.type === 'cli').map((e) => e.action);
    assert.ok(byCli.includes('person.created') && byCli.includes('apikey.created'), `audit by cli: ${byCli.join(', ')}`);
  });

  it('break-glass while the server runs: app disable-sso brings the login form back at once; app list, reset-sso and migrate answer', async () => {
    const installed = await fetch(`${server.url}/api/v1/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      // An identity service that is never reachable: the Automatic app is "broken".
      body: JSON.stringify({ audience: 'agents', type: 'oidc', slug: 'staff-sso', sso: 'automatic', config: { issuer: 'https://idp.invalid', clientId: 'frontdoor', clientSecret: 'frontdoor-secret' } }),
    });
    assert.equal(installed.status, 201, await installed.text());
    const locked = await fetch(`${server.url}/agent/login`, { redirect: 'manual' });
    assert.equal(locked.status, 302);
    assert.match(locked.headers.get('location') ?? '', /^\/sso\/staff-sso\/start/);

    const disabled = await cli(['app', 'disable-sso', '--audience', 'agents']);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /staff-sso is no longer Automatic/);
    // At once: the embedded server ran it itself and forgot its cached apps; on PostgreSQL the
    // server's cache of apps lives under a second (brief-cache.ts), so allow it that.
    if (POSTGRES) await new Promise((resolve) => setTimeout(resolve, 1000));
    const login = await fetch(`${server.url}/agent/login`, { redirect: 'manual' });
    assert.equal(login.status, 200);
    assert.match(await login.text(), /name="password"/);

    const listed = await cli(['app', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /agents\tstaff-sso\toidc\tenabled\tsso=disabled/);
    const reset = await cli(['admin', 'reset-sso', '--audience', 'agents']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /every agents app was already SSO Disabled/);
    const migrated = await cli(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /database is up to date/);
  });

  it('admin reset-password in a second process signs the admin out at once; refusals keep their exit codes', async () => {
    const browser = new TestClient(server.url);
    assert.equal((await browser.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const reset = await cli(['admin', 'reset-password', '--email', 'ada@example.com', '--password-stdin'], `${NEW_PASSWORD}\n`);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stdout, 'password set for ada@example.com; their sessions were signed out\n', 'no device was remembered to forget');
    if (POSTGRES) await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await browser.get('/admin')).status, 302, 'the old session ended');
    assert.equal((await new TestClient(server.url).signIn('ada@example.com', NEW_PASSWORD, 'agents')).status, 303);

    const unknown = await cli(['admin', 'reset-password', '--email', 'nobody@example.com', '--password-stdin'], `${NEW_PASSWORD}\n`);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /\(person\.not_found\)/);
    const weak = await cli(['admin', 'create', '--email', 'bob@example.com', '--name', 'Bob', '--password-stdin'], 'short\n');
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /\(password\.too_short\)/);
    assert.equal((await cli(['app', 'frobnicate'])).code, 64);
  });

  it('stopped: the CLI opens the database itself; restarted: everything is still there; the log has no error and no 500', async () => {
    logs.push(server.output());
    assert.equal(await server.stop(), 0, server.output());
    if (!POSTGRES) assert.ok(!readdirSync(join(dataDir, 'data')).includes('frontdoor.pid'), 'the lock is released on stop');
    const listed = await cli(['app', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /staff-sso/);

    server = spawnServe(env);
    await server.waitFor(/"msg":"Frontdoor is serving"/);
    assert.equal((await new TestClient(server.url).signIn('ada@example.com', NEW_PASSWORD, 'agents')).status, 303);
    assert.equal((await fetch(`${server.url}/api/v1/apps`, { headers: { authorization: `Bearer ${apiKey}` } })).status, 200);
    assert.doesNotMatch(server.output(), /setup\?token=/, 'no setup link once an admin exists');
    logs.push(server.output());
    assert.deepEqual(logs.flatMap(serverFailures), []);
  });
});
