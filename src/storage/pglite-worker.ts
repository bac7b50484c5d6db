import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PreparedStatements } from './pglite-prepared.ts';

// The embedded database on a thread of its own (see openPglite in database.ts): its queries
// run in WebAssembly and used to hold the event loop while they did. Requests come as
// messages; a transaction is opened by `begin`, receives its queries by id, and ends with
// `end` (commit or roll back), while PGlite keeps every other query waiting, as before.

type Request =
  | { id: number; op: 'query'; text: string; params: unknown[]; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/**
 * Settings for a database that lives in this process's memory (issue 20, docs/BENCHMARKS.md):
 * - shared_buffers 16MB (PGlite's default is 128MB): the buffer pool is WebAssembly memory, which
 *   only grows; a page not in it is read from the data directory through the OS's page cache,
 *   not from a disk, so a small pool costs a copy, not an I/O. Measured: about 60 MB less
 *   resident memory at rest, more after a load.
 * - maintenance_work_mem 16MB (default 64MB): index builds (migrations) grow the same memory.
 * - random_page_cost 1.1 (default 4, a spinning disk's): every page is as near as the next, and
 *   at 4 the planner preferred reading all 50,000 emails to the trigram index for a rare
 *   search (238 ms against 39 ms).
 */
const EMBEDDED_SETTINGS = ['shared_buffers = 16MB', 'maintenance_work_mem = 16MB', 'random_page_cost = 1.1'];
const ROLLBACK = Symbol('rollback');
const port = parentPort!;
// pg_trgm: the trigram indexes that make name and email search an index lookup (migration 0006).
const db = await PGlite.create(workerData.dataDir as string | undefined, { extensions: { pg_trgm }, postgresqlconf: EMBEDDED_SETTINGS });
const prepared = new PreparedStatements(db);
const open = new Map<number, { tx: Transaction; end: (commit: boolean) => void; finished: Promise<unknown> }>();
let nextTransaction = 1;

const answer = (id: number, result: unknown) => port.postMessage({ id, result });
const fail = (id: number, error: unknown) => {
  const e = error as Record<string, unknown> & Error;
  // The fields callers read (isUniqueViolation: code, constraint), as plain data.
  port.postMessage({ id, error: { message: e?.message ?? String(error), code: e?.code, constraint: e?.constraint, detail: e?.detail, table: e?.table } });
};

async function handle(request: Request): Promise<void> {
  try {
    switch (request.op) {
      case 'query': {
        const target = request.tx === undefined ? db : open.get(request.tx)?.tx;
        if (!target) throw new Error('This transaction has ended.');
        const { text, params } = request;
        answer(request.id, await prepared.query(text, params, { inTransaction: request.tx !== undefined, unprepared: () => target.query(text, params) }));
        return;
      }
      case 'begin': {
        const id = nextTransaction++;
        let started!: () => void;
        const ready = new Promise<void>((resolve) => (started = resolve));
        let end!: (commit: boolean) => void;
        const decided = new Promise<boolean>((resolve) => (end = resolve));
        const finished = db
          .transaction(async (tx) => {
            open.set(id, { tx, end, finished: Promise.resolve() });
            started();
            if (!(await decided)) throw ROLLBACK;
          })
          .then(
            () => undefined,
            (error: unknown) => (error === ROLLBACK ? undefined : error),
          );
        await ready;
        open.get(id)!.finished = finished;
        answer(request.id, id);
        return;
      }
      case 'end': {
        const transaction = open.get(request.tx);
        if (!transaction) throw new Error('This transaction has ended.');
        open.delete(request.tx);
        transaction.end(request.commit);
        const error = await transaction.finished;
        if (error) throw error;
        answer(request.id, null);
        return;
      }
      case 'close':
        await db.close();
        answer(request.id, null);
        return;
    }
  } catch (error) {
    fail(request.id, error);
  }
}

port.on('message', (request: Request) => void handle(request));
port.postMessage({ ready: true });
