import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { PLAN_WITH_VALUES } from './plan-hints.ts';

// One small interface over the two ways we reach PostgreSQL: PGlite in-process (the default,
// nothing to install) and a PostgreSQL server through `pg`. All SQL is plain PostgreSQL, so
// the same migrations and queries run on both.

export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction; rolls back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'pglite'; dataDir?: string /* undefined: in memory */ }
  | { kind: 'postgres'; url: string; schema?: string; maxConnections?: number };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.kind === 'pglite' ? openPglite(options.dataDir) : openPostgres(options);
}

/**
 * The embedded database thread's JavaScript heap (issue 20; docs/BENCHMARKS.md, "Memory of the
 * embedded database"). What it keeps is small (a heap snapshot: about 14 MB besides the
 * WebAssembly memory, which lives outside the heap), but every query leaves garbage (the SQL
 * text and values as received, the rows as parsed and cloned back), and with V8's defaults for
 * a thread (a 16 MB semi-space, an old generation allowed to grow to gigabytes before it is
 * compacted) that garbage stayed resident: 50-70 MB of heap after 10,000 sign-ins. With these
 * limits V8 collects sooner: 30 MB of heap and about 55 MB less resident memory after the same
 * load. 256 MB is a ceiling far above what the thread keeps, not a budget; past it the thread
 * stops and every query fails ("The embedded database stopped."), as after a crash.
 */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

/**
 * PGlite's PostgreSQL is about 8 MB of WebAssembly. V8 compiles it at once with its baseline
 * compiler (Liftoff) and then, by default, compiles its hot functions again with the optimizing
 * one (TurboFan), keeping both: 60-70 MB more resident memory, and the compiling itself costs
 * more CPU than the faster code saves over the first tens of thousands of queries
 * (`bench/probes/pglite-flags-probe.ts`: 6,000 queries 2.0-2.1 s of CPU against 2.7-3.3 s,
 * 185 MB against 250 MB; 30,000 queries 7.0 s against 7.9 s; past that the optimized code is
 * about 9% faster per query). Memory is the embedded database's scarcer resource (issue 20's goal
 * is 200 MB at rest); a deployment whose load makes those 9% matter belongs on a PostgreSQL
 * server. V8's flags are the process's: this one touches only WebAssembly compiled from now on,
 * and PGlite is the only WebAssembly here (argon2 is a native addon).
 */
function compileWebAssemblyWithBaselineOnly(): void {
  setFlagsFromString('--liftoff-only');
}

/**
 * PGlite on a worker thread: PostgreSQL in WebAssembly runs each query synchronously, and on
 * the event loop's thread it held every other request while it did (a session check behind a
 * sign-in's queries waited for them). On its own thread the queries run beside the event loop.
 * It is still one connection: its transactions are serialised, which is what the invariants
 * need; a concurrent query simply waits for the transaction to finish.
 */
async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  compileWebAssemblyWithBaselineOnly();
  const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: { dataDir }, resourceLimits: WORKER_HEAP_LIMITS });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => resolve());
  });
  // The thread keeps the process alive only while a query is under way: a command that
  // forgets to close its database still exits, and one that awaits an answer still gets it.
  worker.unref();
  worker.on('message', (message: { id: number; result?: unknown; error?: Record<string, unknown> & { message: string } }) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
    if (message.error) waiting.reject(Object.assign(new Error(message.error.message), message.error));
    else waiting.resolve(message.result);
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('The embedded database stopped.')));
  const call = <T>(request: Record<string, unknown>): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };
  return {
    kind: 'pglite',
    query: <Row>(text: string, params: readonly unknown[] = []) => call<Row[]>({ op: 'query', text, params }),
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const tx = await call<number>({ op: 'begin' });
      let result: T;
      try {
        result = await work({ query: <Row>(text: string, params: readonly unknown[] = []) => call<Row[]>({ op: 'query', text, params, tx }) });
      } catch (error) {
        await call({ op: 'end', tx, commit: false }).catch(() => {});
        throw error;
      }
      await call({ op: 'end', tx, commit: true });
      return result;
    },
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

async function openPostgres(options: { url: string; schema?: string; maxConnections?: number }): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    // Tests give every file its own schema; production uses the default search_path.
    ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {}),
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  const asQueryable = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const name = preparedName(text, params);
      return (await client.query(name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] })).rows as Row[];
    },
  });
  return {
    kind: 'postgres',
    ...asQueryable(pool),
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      // pg-pool removes its error listener while a client is checked out, and a connection that
      // dies under a transaction (PostgreSQL stopped) emits 'error' on the client: with no
      // listener that is an uncaught exception, which ends the process. The query in flight
      // rejects anyway (503 service.unavailable); the broken client is destroyed on release,
      // not put back in the pool. Found by the fault test (issue 9) with JIT sign-ins in flight.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(asQueryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.removeListener('error', onError);
        client.release(lost);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Statements are prepared once per connection, as PGlite prepares them (issue 20, part 4): an
 * unnamed statement is parsed, analysed and planned on every run, and for a sign-in's two
 * statements (each a chain of data-modifying CTEs) that was most of PostgreSQL's CPU per
 * sign-in (docs/BENCHMARKS.md, "JWT sign-in cost"). Named, later runs send only Bind and
 * Execute, and PostgreSQL reuses the parse tree and, once it has judged a generic plan as good as
 * the custom ones, the plan. Not prepared: a statement without parameters (the simple protocol
 * lets migrations send several statements in one text) and one marked PLAN_WITH_VALUES, whose
 * best plan depends on the values. The name is a digest of the text, so a name is never reused
 * for a different statement; the set of texts is finite (our SQL is fixed strings), so is the map.
 */
const preparedNames = new Map<string, string>();
function preparedName(text: string, params: readonly unknown[]): string | undefined {
  if (params.length === 0 || text.startsWith(PLAN_WITH_VALUES)) return undefined;
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `fd_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    if (preparedNames.size < 10_000) preparedNames.set(text, name);
  }
  return name;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** PostgreSQL's SQLSTATE for a unique-constraint violation, as both drivers report it. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  if (e?.code !== '23505') return false;
  if (!constraint) return true;
  return e.constraint === constraint || (e.message ?? '').includes(constraint);
}
