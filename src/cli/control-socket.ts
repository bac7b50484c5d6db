import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Services } from '../core/services.ts';
import { liveLockOwner } from '../storage/data-dir-lock.ts';
import { runCommandOnServices } from './commands.ts';

// The CLI's way into a running server on the embedded database (which only the server may
// open: data-dir-lock.ts). The server listens on a Unix domain socket inside the data
// directory, in a directory of mode 0700 and itself mode 0600: only the operating-system user
// who owns the data directory (and root) can connect, the same people who could read the
// database files anyway; nothing is reachable over the network. docs/SECURITY.md, "The CLI
// while the server runs".

/** Linux's sun_path holds 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;
/** A request is a command line and perhaps a password: far under this. */
const MAX_REQUEST_BYTES = 64 * 1024;

export type ControlRequest = { argv: string[]; password?: string | undefined };
export type ControlAnswer = { code: number; stdout: string; stderr: string };

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'run', 'frontdoor.sock');
}

/** Whether the operating system can bind this path as a Unix socket at all. */
export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
}

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

/**
 * Listens for CLI commands; each runs here, on this process's services, so its change is
 * seen at once (the services' caches forget what their own writes change). Call only while
 * holding the data directory's lock: it replaces a socket file a dead server left behind.
 */
export async function listenForCli(services: Services, dataDir: string, log: Log): Promise<{ path: string; close(): Promise<void> } | null> {
  const path = controlSocketPath(dataDir);
  if (!socketPathFits(path)) {
    log.warn({ path }, 'the data directory path is too long for the CLI control socket; CLI commands are refused while the server runs');
    return null;
  }
  const dir = join(dataDir, 'run');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // also when an older one had looser bits
  if (existsSync(path)) unlinkSync(path);
  const server: Server = createServer((socket) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(120_000, () => socket.destroy());
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length > MAX_REQUEST_BYTES) {
        socket.destroy();
        return;
      }
      const end = received.indexOf('\n');
      if (end < 0) return;
      socket.pause();
      void answer(received.slice(0, end)).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  });
  const answer = async (line: string): Promise<ControlAnswer> => {
    let request: ControlRequest;
    try {
      request = JSON.parse(line) as ControlRequest;
      if (!Array.isArray(request.argv) || !request.argv.every((a) => typeof a === 'string')) throw new Error('argv');
      if (request.password !== undefined && typeof request.password !== 'string') throw new Error('password');
    } catch {
      return { code: 64, stdout: '', stderr: 'frontdoor: the server could not read the request\n' };
    }
    if (['serve', 'help', '--help', '-h'].includes(request.argv[0] ?? '')) {
      return { code: 64, stdout: '', stderr: `frontdoor: ${request.argv[0]} is not run by the server\n` };
    }
    let stdout = '';
    let stderr = '';
    const out = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } };
    try {
      const code = await runCommandOnServices(request.argv, services, request.password, out);
      // The command, never the password.
      log.info({ command: request.argv.slice(0, 2).join(' '), exitCode: code }, 'CLI command run by the server');
      return { code, stdout, stderr };
    } catch (error) {
      log.error({ err: error, command: request.argv.slice(0, 2).join(' ') }, 'CLI command failed in the server');
      return { code: 1, stdout, stderr: `${stderr}frontdoor: ${error instanceof Error ? error.message : String(error)}\n` };
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  // The directory's 0700 already keeps others out between listen and this chmod.
  chmodSync(path, 0o600);
  // Never what keeps the process alive: shutdown is the HTTP server's.
  server.unref();
  return {
    path,
    close: () => new Promise<void>((resolve) => server.close(() => {
      try {
        unlinkSync(path);
      } catch { /* gone */ }
      resolve();
    })),
  };
}

/** Sends one command to the running server and returns its answer. */
export function runOnServer(path: string, request: ControlRequest): Promise<ControlAnswer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(JSON.parse(received) as ControlAnswer);
      } catch {
        reject(new Error('the server closed the control socket without an answer'));
      }
    });
  });
}

/**
 * The server takes the lock before it opens and migrates the database and listens on the
 * socket after: a command started meanwhile waits, as long as the server is alive and at
 * most a few minutes (opening a fresh embedded database takes seconds, more on a loaded machine).
 */
export async function waitForControlSocket(path: string, dataDir: string, pid: number, onWait: () => void): Promise<boolean> {
  const deadline = Date.now() + 180_000;
  let told = false;
  while (Date.now() < deadline) {
    if (await canConnect(path)) return true;
    const owner = liveLockOwner(dataDir);
    if (!owner || owner.pid !== pid) return false;
    if (!told) {
      onWait();
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
