import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { quoteIdentifier } from '../../src/storage/database.ts';

// Real processes, as an operator runs them: `frontdoor serve` and the CLI beside it.

const REPO = new URL('../..', import.meta.url).pathname;

export type ServeProcess = {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches (or rejects when the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
};

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The environment of a process that uses the embedded default: the suite's DATABASE_URL removed. */
export function embeddedEnv(env: Record<string, string>): Record<string, string> {
  const { DATABASE_URL: _server, ...inherited } = process.env as Record<string, string>;
  return { ...inherited, ...env };
}

export function spawnServe(env: Record<string, string>, options: { cwd?: string; command?: [string, ...string[]]; /** Its own process group, as a terminal's foreground job. */ detached?: boolean } = {}): ServeProcess {
  const [command, ...args] = options.command ?? [process.execPath, 'src/cli/main.ts', 'serve'];
  const child = spawn(command, args, { cwd: options.cwd ?? REPO, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const waiter of waiters) waiter();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const waiter of waiters) waiter();
    resolve(code);
  }));
  return {
    url: env.PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`,
    child,
    exited,
    output: () => output,
    // Opening a fresh embedded database takes seconds, and over 40 s on a loaded 2-core
    // machine: a generous deadline, never a fixed wait.
    waitFor(pattern, timeoutMs = 180_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}:\n${output}`)), timeoutMs);
        const check = () => {
          const match = pattern.exec(output);
          if (match) finish(undefined, match);
          else if (child.exitCode !== null || child.signalCode !== null) finish(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output}`));
        };
        const finish = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * Runs `frontdoor ARGS` as its own process, with `input` on standard input. One that has not
 * ended after `timeoutMs` (a second server that did not refuse, say) is killed: code null.
 */
export function runCli(args: string[], env: Record<string, string>, options: { input?: string; cwd?: string; command?: [string, ...string[]]; timeoutMs?: number } = {}): Promise<CliResult> {
  const [command, ...prefix] = options.command ?? [process.execPath, 'src/cli/main.ts'];
  const child = spawn(command, [...prefix, ...args], { cwd: options.cwd ?? REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => {
    stderr += `\n[killed after ${options.timeoutMs ?? 240_000} ms]\n`;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 240_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

/** Lines of a pino log at error level or above (50 error, 60 fatal), and any answer with a 5xx status. */
export function serverFailures(log: string): string[] {
  return log.split('\n').filter((line) => {
    if (!line.startsWith('{')) return false;
    try {
      const entry = JSON.parse(line) as { level?: number; res?: { statusCode?: number }; statusCode?: number };
      return (entry.level ?? 0) >= 50 || (entry.res?.statusCode ?? entry.statusCode ?? 0) >= 500;
    } catch {
      return false;
    }
  });
}

/** A scratch database on the suite's PostgreSQL server (a served process uses the default schema), dropped by `drop`. */
export async function scratchPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `frontdoor_t_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => run(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`) };
}
