import { protocol, types, type PGlite } from '@electric-sql/pglite';
import { PLAN_WITH_VALUES } from './plan-hints.ts';

// Enough for every statement the code has (a few hundred texts); past it, texts go the
// unprepared way, so generated SQL can never fill the embedded database with plans.
const MAX_PREPARED = 512;
// "cached plan must not change result type": a table under a `SELECT *` changed (a migration
// ran after the statement was prepared). The statement is prepared again, once. (Inside a
// transaction the error has already aborted it, and the second try fails as any query would:
// migrations run before the statements they change are used, so this is for tests and tools.)
const PLAN_RESULT_CHANGED = '0A000';


// Statement names are the connection's: each instance names its own apart.
let instances = 0;

type Prepared = { name: string; paramTypes: number[]; fields: { name: string; dataTypeID: number }[] };
const NO_FS_SYNC = { syncToFs: false };

/**
 * PGlite queries as named prepared statements: each SQL text is parsed and planned once, then
 * only bound and executed. PGlite's own `query` parses, describes and plans every statement
 * anew (an unnamed statement each time), and in WebAssembly on one thread that planning was
 * most of a statement's cost: the sign-in statements (several data-modifying CTEs) cost 0.9-1.3
 * ms of CPU that way and 0.3-0.35 ms prepared. A PostgreSQL server plans on its own CPU; here
 * it is ours. Values are serialised and rows parsed with PGlite's own type tables, so the rows
 * are the same as `query` gives. Exclusive like `query`: outside a transaction it waits for
 * any open one (as `query` does); inside one (`inTransaction`) the transaction already holds it.
 */
export class PreparedStatements {
  readonly #db: PGlite;
  readonly #prepared = new Map<string, Prepared>();
  readonly #maxPrepared: number;
  readonly #namePrefix = `fd_prepared_${instances++}_`;
  #nextName = 0;
  #reprepared = 0;

  constructor(db: PGlite, options: { maxPrepared?: number } = {}) {
    this.#db = db;
    this.#maxPrepared = options.maxPrepared ?? MAX_PREPARED;
  }

  /** How many statements were prepared again because their result columns changed. */
  get reprepared(): number {
    return this.#reprepared;
  }

  /** How many texts are prepared now. */
  get size(): number {
    return this.#prepared.size;
  }

  /** The rows of `text` with `params`; `unprepared` is how to run it when the cache is full. */
  async query(text: string, params: readonly unknown[], options: { inTransaction: boolean; unprepared: () => Promise<{ rows: unknown[] }> }): Promise<unknown[]> {
    if (text.startsWith(PLAN_WITH_VALUES) || (!this.#prepared.has(text) && this.#prepared.size >= this.#maxPrepared)) return (await options.unprepared()).rows;
    const run = () => this.#db._runExclusiveQuery(() => this.#bindAndExecute(text, params, true));
    const rows = options.inTransaction ? await run() : await this.#db._runExclusiveTransaction(run);
    // As PGlite's query does outside a transaction (a no-op on a directory in Node).
    if (!options.inTransaction) await this.#db.syncToFs();
    return rows;
  }

  async #bindAndExecute(text: string, params: readonly unknown[], mayRetry: boolean): Promise<unknown[]> {
    const statement = this.#prepared.get(text) ?? (await this.#prepare(text));
    const values = params.map((value, index) => {
      if (value === null || value === undefined) return null;
      const serialize = this.#db.serializers[statement.paramTypes[index]!];
      return serialize ? serialize(value) : String(value);
    });
    let messages: { name: string; fields?: (string | null)[] }[] = [];
    let failure: unknown;
    try {
      messages = [
        ...(await this.#exchange(protocol.serialize.bind({ statement: statement.name, values }))),
        ...(await this.#exchange(protocol.serialize.execute({}))),
      ];
    } catch (error) {
      failure = error;
    }
    // Ends the exchange either way; after an error the backend has skipped to here.
    await this.#exchange(protocol.serialize.sync());
    if (failure) {
      if ((failure as { code?: string }).code !== PLAN_RESULT_CHANGED || !mayRetry) throw failure;
      await this.#forget(text, statement);
      this.#reprepared += 1;
      return this.#bindAndExecute(text, params, false);
    }
    const rows: Record<string, unknown>[] = [];
    for (const message of messages) {
      if (message.name !== 'dataRow') continue;
      const row: Record<string, unknown> = {};
      message.fields!.forEach((value, index) => {
        const field = statement.fields[index]!;
        row[field.name] = types.parseType(value, field.dataTypeID, this.#db.parsers);
      });
      rows.push(row);
    }
    return rows;
  }

  /** Parse (named) and describe: the parameter types to serialise with and the columns to parse. */
  async #prepare(text: string): Promise<Prepared> {
    const name = `${this.#namePrefix}${this.#nextName++}`;
    let described: { name: string; dataTypeIDs?: number[]; fields?: { name: string; dataTypeID: number }[] }[] = [];
    try {
      await this.#exchange(protocol.serialize.parse({ name, text, types: [] }));
      described = await this.#exchange(protocol.serialize.describe({ type: 'S', name }));
    } finally {
      await this.#exchange(protocol.serialize.sync());
    }
    const prepared: Prepared = {
      name,
      paramTypes: described.find((message) => message.name === 'parameterDescription')?.dataTypeIDs ?? [],
      fields: (described.find((message) => message.name === 'rowDescription')?.fields ?? []).map(({ name: column, dataTypeID }) => ({ name: column, dataTypeID })),
    };
    this.#prepared.set(text, prepared);
    return prepared;
  }

  async #forget(text: string, statement: Prepared): Promise<void> {
    this.#prepared.delete(text);
    await this.#exchange(protocol.serialize.close({ type: 'S', name: statement.name }));
    await this.#exchange(protocol.serialize.sync());
  }

  #exchange(message: Uint8Array) {
    return this.#db.execProtocolStream(message, NO_FS_SYNC) as unknown as Promise<{ name: string; fields?: any[]; dataTypeIDs?: number[] }[]>;
  }
}
