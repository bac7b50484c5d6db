import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One identity provider from Debian running as a child process on a loopback port, with a
 * scratch directory of its own (keys, sessions, logs) that `stop()` removes. What the tests
 * need from a real process: start it, know when it answers, read its log when it does not,
 * and end it (by its pid, never by name: other tests may run the same program).
 */
export class LocalService {
  readonly name: string;
  readonly stateDir: string;
  readonly #logFile: string;
  #child: ChildProcess | undefined;

  constructor(name: string) {
    this.name = name;
    this.stateDir = mkdtempSync(join(tmpdir(), `frontdoor-${name}-`));
    this.#logFile = join(this.stateDir, 'process.log');
  }

  /** Starts `command` with its output in the scratch directory's process.log. */
  start(command: string, args: string[], env: Record<string, string>): void {
    const log = openSync(this.#logFile, 'a');
    this.#child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log], cwd: this.stateDir });
  }

  /** Resolves once `url` answers with a status below 500; throws with the log after `timeoutMs`. */
  async waitUntilAnswering(url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.#child?.exitCode !== null && this.#child?.exitCode !== undefined) break;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const text = await response.text();
        if (response.status < 500) return;
        last = `HTTP ${response.status}: ${text.slice(0, 500)}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name} did not answer at ${url} (${last}); its log:\n${this.log().slice(-4000)}`);
  }

  log(): string {
    try {
      return readFileSync(this.#logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** A loopback port nobody listens on right now. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
