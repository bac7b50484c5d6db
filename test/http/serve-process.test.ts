import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// The README's `npm start` is `node src/cli/main.ts serve`: run exactly that as a separate
// process on a fresh data directory, as a new admin would, and stop it as an orchestrator would.
describe('frontdoor serve (a real process)', () => {
  it('starts on a fresh embedded database, serves the Help Center and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-serve-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    // Always the embedded default, even when the suite runs against a PostgreSQL server.
    const { DATABASE_URL: _server, ...inherited } = process.env;
    const env = { ...inherited, PORT: String(port), FRONTDOOR_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PUBLIC_URL: `http://127.0.0.1:${port}` };
    const child = spawn(process.execPath, ['src/cli/main.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let ready = false;
      // Opening a fresh embedded database takes seconds, and over 40 s on a loaded 2-core
      // machine: wait for readiness (or an exit) up to a generous deadline, not a fixed count.
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline && !ready && child.exitCode === null) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(ready, `server did not become ready:\n${output}`);
      const home = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /Help Center/);
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      assert.match(await login.text(), /type="password"/);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
