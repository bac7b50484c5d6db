import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { sysconf } from './sysconf.ts';

export type Server = { url: string; port: number; child: ChildProcess; stop(): Promise<void> };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc: the server's own cost. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / sysconf.clockTicks;
}

/**
 * Resident memory after `seconds` with no requests: V8 gives back a start's or a load's garbage
 * only some seconds after allocation stops (its memory reducer), so a figure taken at once
 * counts that garbage too (the first start answered at 296-344 MB and held 207-254 MB 30 s later).
 */
export async function idleRssMegabytesOf(pid: number, seconds = 30): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return rssMegabytesOf(pid);
}

export function rssMegabytesOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** A TypeScript server module in its own process (the load generator stays in this one). */
export async function startModule(modulePath: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = fork(modulePath, { env: { ...process.env, ...env, PORT: String(port) }, stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(url, child);
  return { url, port, child, stop: stopper(child) };
}

/** `frontdoor serve` as a production would run it (default log level, logs discarded), on its own database. */
export async function startFrontdoor(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', PUBLIC_URL: url, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilAnswering(`${url}/health/ready`, child);
  return { url, port, child, stop: stopper(child) };
}
