import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of the test's own (Debian's binaries, a temp data directory, a free port),
 * so a fault test can stop and start it without touching the shared server other tests use.
 * PostgreSQL refuses to run as root: as root we run its binaries as the `postgres` OS user
 * (`runuser`); as `postgres` directly. Anything else fails with a message saying so, never a skip.
 */
export class PrivatePostgres {
  readonly port: number;
  readonly #dir: string;
  readonly #bin: string;

  private constructor(dir: string, bin: string, port: number) {
    this.#dir = dir;
    this.#bin = bin;
    this.port = port;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
    const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((b) => existsSync(`${b}/pg_ctl`));
    if (!bin) throw new Error('The fault tests need PostgreSQL server binaries (Debian: apt-get install postgresql; expected /usr/lib/postgresql/<version>/bin/pg_ctl).');
    const uid = process.getuid?.();
    const whoami = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
    if (uid !== 0 && whoami !== 'postgres') {
      throw new Error(`The fault tests start a private PostgreSQL server: run them as root (they use runuser -u postgres) or as the postgres user, not as ${whoami}.`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'frontdoor-pg-'));
    if (uid === 0) {
      const pgUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const pgGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, pgUid, pgGid);
    }
    const server = new PrivatePostgres(dir, bin, await freePort());
    server.#run('initdb', ['-D', server.#data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    server.startServer();
    return server;
  }

  get #data(): string {
    return join(this.#dir, 'data');
  }

  /** Starts (or restarts) the server and waits until it accepts connections. */
  startServer(): void {
    this.#run('pg_ctl', [
      '-D', this.#data, '-l', join(this.#dir, 'log'), '-w', '-t', '60', 'start',
      '-o', `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`,
    ]);
  }

  /** Stops the server at once (connections are cut, as in a crash of the database host). */
  stopServer(): void {
    this.#run('pg_ctl', ['-D', this.#data, '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      this.stopServer();
    } catch {
      // already stopped
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #run(tool: string, args: string[]): void {
    const path = `${this.#bin}/${tool}`;
    const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: this.#dir });
    if (result.status !== 0) {
      throw new Error(`${tool} failed (${result.status}): ${result.error?.message ?? ''}${result.stderr}${result.stdout}`);
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
