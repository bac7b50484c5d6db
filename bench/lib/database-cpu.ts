import { readFileSync } from 'node:fs';
import pg from 'pg';
import { sysconf } from './sysconf.ts';

/**
 * The CPU time of the PostgreSQL server processes serving one database (its backends), from
 * /proc, for figures counted per CPU-second of a server and its database together. The server
 * must run on this machine. A backend that ends between two readings takes its time with it;
 * a pool closes only idle ones, which had spent nothing in between.
 */
export class DatabaseCpu {
  readonly #client: pg.Client;
  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async open(url: string): Promise<DatabaseCpu> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new DatabaseCpu(client);
  }

  /** CPU-seconds of each backend of the database now (this reader's own excluded). */
  async sample(): Promise<Map<number, number>> {
    const { rows } = await this.#client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    const seconds = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / sysconf.clockTicks);
      } catch {
        // ended meanwhile
      }
    }
    return seconds;
  }

  /** CPU-seconds the backends spent between two samples (a backend new in `after` counts from zero). */
  static spent(before: Map<number, number>, after: Map<number, number>): number {
    let total = 0;
    for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
    return total;
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}
