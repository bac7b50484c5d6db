import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TestClient } from '../helpers/server.ts';
import { csrfOf } from '../helpers/pages.ts';
import { freePort, runCli, serverFailures, spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

// Issue 15, parts 6 and 7: the README's "Run it" is a test. The repository is cloned into a
// temporary directory (git clone of this working repository: what is committed) and the
// README's commands are run there as written, as a newcomer's shell would, on the default
// embedded database in ./data. Two changes only: the port (a free one instead of 8080, in
// PORT, PUBLIC_URL and the URLs of the commands), and `npm install` (exactly as written) runs
// with npm_config_prefer_offline=true: it takes what npm's cache holds (`npm ci` filled it
// before the suite) and asks the registry only for what is missing. Not --offline: a cache
// entry written by another npm command can miss for `npm install` (a packument fetched with
// another Accept header), which would fail the test for npm's reasons, not Frontdoor's. It is
// a real install into the clone, not a link to this checkout's node_modules, so it shows what
// a newcomer's `npm install` does and prints, the EBADENGINE warnings included (part 7).

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PASSWORD = 'correct horse battery staple';

/** The shell commands of the README's "Run it" section, in order. */
function runItCommands(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## Run it\n'), readme.indexOf('\n## ', readme.indexOf('## Run it\n') + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((block) => block[1]!.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** The packages the README says `npm install` warns about on Node 20. */
function promisedEngineWarnings(readme: string): string[] {
  const match = /on Node 20 it prints `EBADENGINE` warnings for\s+exactly these packages[^:]*:\s*((?:`[^`]+`(?:,\s*)?)+)/.exec(readme);
  assert.ok(match, 'README.md says which packages npm install warns about on Node 20');
  return [...match[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).sort();
}

/** A newcomer's shell: none of this test run's npm, node:test or Frontdoor variables, no node_modules/.bin on PATH. */
function newcomerEnv(port: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|NODE_|FRONTDOOR_|DATABASE_URL$|PORT$|PUBLIC_URL$|LOG_LEVEL$|CHROMIUM_PATH$)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir && !dir.includes('node_modules')).join(delimiter);
  return { ...env, PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
}

const EXPECTED_PATH = [
  'npm install',
  'npm start',
  'npx frontdoor admin create --email admin@example.com --name "Ada Admin"',
  'npx frontdoor apikey create --name "provisioning"',
  'curl -H "Authorization: Bearer fdk_..." http://localhost:8080/api/v1/apps',
  'npx frontdoor app disable-sso --audience agents',
];

describe("the README's Run it", () => {
  it('is the path this test follows, command for command', () => {
    assert.deepEqual(runItCommands(README), EXPECTED_PATH);
  });

  it('says the Node.js that package.json promises', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(engines, '>=20');
    assert.match(README, /You need Node\.js 20 or newer with its npm/);
  });

  describe('followed on a fresh clone', { skip: process.env.DATABASE_URL ? 'the README path is the embedded default; the PGlite pass runs it' : false }, () => {
    const workDir = mkdtempSync(join(tmpdir(), 'frontdoor-readme-'));
    const clone = join(workDir, 'frontdoor');
    let env: Record<string, string>;
    let url: string;
    let server: ServeProcess | undefined;
    const logs: string[] = [];
    /** One README command, as written but for the port, in the clone, through the shell. */
    const sh = (command: string, input?: string) => runCli(['-c', command.replaceAll('http://localhost:8080', url)], env, { cwd: clone, input, command: ['bash'] });
    const npmStart = () => spawnServe(env, { cwd: clone, command: ['bash', '-c', 'exec npm start'], detached: true });
    // Ctrl-C in a terminal: SIGINT to the whole foreground process group (npm and the server).
    const ctrlC = async (running: ServeProcess) => {
      process.kill(-running.child.pid!, 'SIGINT');
      await running.exited;
      logs.push(running.output());
    };

    after(async () => {
      if (server && server.child.exitCode === null) await ctrlC(server).catch(() => {});
      rmSync(workDir, { recursive: true, force: true });
    });

    /**
     * The port the server is given: found free just before the first `npm start`, not before the
     * install's minute, during which another test's outgoing connection may take it.
     */
    const choosePort = async () => {
      const port = await freePort();
      env = newcomerEnv(port);
      url = `http://localhost:${port}`;
    };

    it('npm install installs from the lockfile, warning only as the README says', async () => {
      await choosePort();
      const cloned = spawnSync('git', ['clone', '--quiet', ROOT, clone]);
      assert.equal(cloned.status, 0, cloned.stderr.toString());
      const installed = await sh(EXPECTED_PATH[0]!);
      assert.equal(installed.code, 0, installed.stderr);
      const warned = [...`${installed.stdout}${installed.stderr}`.matchAll(/EBADENGINE\s+package: '((?:@[^/]+\/)?[^@']+)@/g)].map((m) => m[1]!).sort();
      const nodeMajor = Number(spawnSync('node', ['-p', 'process.versions.node.split(".")[0]'], { env }).stdout.toString().trim());
      assert.deepEqual(warned, nodeMajor >= 22 ? [] : promisedEngineWarnings(README), `npm install on Node ${nodeMajor}`);
      assert.ok(existsSync(join(clone, 'node_modules', 'node', 'package.json')), 'the pinned Node.js came with it');
      const changed = spawnSync('git', ['status', '--porcelain'], { cwd: clone }).stdout.toString();
      assert.equal(changed, '', 'npm install changed nothing that is committed (package-lock.json is what it installs)');
    });

    it('npm start prints the setup link; opening it makes the first admin, who signs in to the admin console', async () => {
      await choosePort();
      server = npmStart();
      const [link] = await server.waitFor(/http:\/\/localhost:\d+\/setup\?token=[A-Za-z0-9_-]+/);
      const browser = new TestClient(url);
      const form = await browser.get(link.slice(url.length));
      assert.equal(form.status, 200, form.text.slice(0, 300));
      const token = new URL(link).searchParams.get('token')!;
      const created = await browser.postForm('/setup', { _csrf: csrfOf(form.text), token, name: 'Grace Hopper', email: 'grace@example.com', password: PASSWORD });
      assert.equal(created.status, 201, created.text.slice(0, 300));
      assert.equal((await browser.signIn('grace@example.com', PASSWORD, 'agents')).status, 303);
      const console = await browser.get('/admin/apps');
      assert.equal(console.status, 200);
      assert.match(console.text, /Welcome: what to do next/);
      assert.equal((await browser.get(link.slice(url.length))).status, 410, 'the link worked once');
    });

    it('the CLI in a second terminal while the server runs: admin create, apikey create and curl', async () => {
      const admin = await sh(EXPECTED_PATH[2]!, `${PASSWORD}\n`);
      assert.equal(admin.code, 0, admin.stderr);
      assert.equal((await new TestClient(url).signIn('admin@example.com', PASSWORD, 'agents')).status, 303);
      const key = await sh(EXPECTED_PATH[3]!);
      assert.equal(key.code, 0, key.stderr);
      const apiKey = key.stdout.trim();
      assert.match(apiKey, /^fdk_/);
      const listed = await sh(EXPECTED_PATH[4]!.replace('fdk_...', apiKey));
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /"password-agents"/);
      env.API_KEY = apiKey;
    });

    it('break-glass while the server runs: app disable-sso brings the agents login form back at once', async () => {
      const installed = await fetch(`${url}/api/v1/apps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ audience: 'agents', type: 'oidc', slug: 'staff-sso', sso: 'automatic', config: { issuer: 'https://idp.invalid', clientId: 'frontdoor', clientSecret: 'secret' } }),
      });
      assert.equal(installed.status, 201);
      assert.equal((await fetch(`${url}/agent/login`, { redirect: 'manual' })).status, 302, 'SSO is Automatic (and broken)');
      const disabled = await sh(EXPECTED_PATH[5]!);
      assert.equal(disabled.code, 0, disabled.stderr);
      const login = await fetch(`${url}/agent/login`, { redirect: 'manual' });
      assert.equal(login.status, 200);
      assert.match(await login.text(), /name="password"/);
    });

    it('Ctrl-C, npm start again: everything is still there; no 500 and no error in the log', async () => {
      await ctrlC(server!);
      assert.ok(!existsSync(join(clone, 'data', 'frontdoor.pid')), 'the lock went with the server');
      server = npmStart();
      await server.waitFor(/"msg":"Frontdoor is serving"/);
      for (const email of ['grace@example.com', 'admin@example.com']) {
        assert.equal((await new TestClient(url).signIn(email, PASSWORD, 'agents')).status, 303, email);
      }
      const listed = await sh(EXPECTED_PATH[4]!.replace('fdk_...', env.API_KEY!));
      assert.match(listed.stdout, /"staff-sso"/);
      assert.equal((await fetch(`${url}/agent/login`, { redirect: 'manual' })).status, 200, 'SSO stayed Disabled');
      await ctrlC(server);
      assert.doesNotMatch(logs.join('\n'), /setup\?token=[\s\S]*Frontdoor is serving[\s\S]*setup\?token=/, 'no second setup link after the admin exists');
      assert.deepEqual(logs.flatMap(serverFailures), []);
      assert.doesNotMatch(logs.join('\n'), /Aborted\(\)|EADDRINUSE/);
      assert.match(logs.join('\n'), /"url":"\/setup\?token=\[redacted\]"/, 'the access log has the setup request, without its token');
      assert.doesNotMatch(logs.join('\n'), /"url":"\/setup\?token=[A-Za-z0-9_-]/);
    });
  });
});
