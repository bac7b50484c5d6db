import type { Database } from '../storage/database.ts';
import type { Clock } from './clock.ts';
import type { SecretBox } from './secrets.ts';

export type ConsoleResultKind = 'shared_secret' | 'test_ticket' | 'test_sign_in' | 'app_test';

// The table's CHECK (migration 0015) knows three kinds. The Test's report (`app_test`) is kept in
// rows of the test sign-in's kind, which lives as long and is bound the same way, with its own
// kind sealed next to it, so that neither is ever read as the other. A migration that adds the
// kind to the CHECK makes this map the identity; the rows' shape stays readable.
const STORED_AS: Record<ConsoleResultKind, string> = {
  shared_secret: 'shared_secret', test_ticket: 'test_ticket', test_sign_in: 'test_sign_in', app_test: 'test_sign_in',
};
const SEALED_KIND = 'consoleResultKind';

/**
 * What the admin console shows one admin session for a while: a regenerated shared secret, a
 * test sign-in's ticket and report. Sealed at rest (the SecretBox), bound to the session that
 * asked (another session, even the same admin's, finds nothing), in the database so that a
 * reload on another node finds it, and gone once expired.
 */
export class ConsoleResults {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #box: SecretBox;

  constructor(db: Database, clock: Clock, box: SecretBox) {
    this.#db = db;
    this.#clock = clock;
    this.#box = box;
  }

  /** Keeps `payload` for `sessionId` for `ttlMs`; returns its id (random, unguessable). */
  async save(kind: ConsoleResultKind, owner: { sessionId: string; appId: string }, payload: unknown, ttlMs: number): Promise<string> {
    const now = this.#clock.now();
    // Expired rows are swept by whoever writes; no timer needed on any node.
    const [row] = await this.#db.query<{ id: string }>(
      `WITH sweep AS (DELETE FROM console_results WHERE expires_at < $6)
       INSERT INTO console_results (kind, session_id, app_id, sealed, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $7) RETURNING id`,
      [STORED_AS[kind], owner.sessionId, owner.appId, this.#box.seal(JSON.stringify(sealedFor(kind, payload))), now, now, new Date(now.getTime() + ttlMs)],
    );
    return row!.id;
  }

  /** The live result with this id, of this kind and session, or undefined (any other session: undefined). */
  async find<T>(kind: ConsoleResultKind, id: string, sessionId: string): Promise<{ appId: string; payload: T; createdAt: Date } | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.#db.query<ResultRow>(
      'SELECT app_id, sealed, created_at FROM console_results WHERE id = $1 AND kind = $2 AND session_id = $3 AND expires_at > $4',
      [id, STORED_AS[kind], sessionId, this.#clock.now()],
    );
    return rows[0] && this.#fromRow<T>(kind, rows[0]);
  }

  /** The newest live result of this kind for this session and app. */
  async latest<T>(kind: ConsoleResultKind, sessionId: string, appId: string): Promise<{ appId: string; payload: T; createdAt: Date } | undefined> {
    const rows = await this.#db.query<ResultRow>(
      `SELECT app_id, sealed, created_at FROM console_results WHERE session_id = $1 AND app_id = $2 AND kind = $3 AND expires_at > $4
        ORDER BY created_at DESC LIMIT 50`,
      [sessionId, appId, STORED_AS[kind], this.#clock.now()],
    );
    for (const row of rows) {
      const found = this.#fromRow<T>(kind, row);
      if (found) return found;
    }
    return undefined;
  }

  /** Takes (and removes) a live one-time result: of two takers, one wins. */
  async take<T>(kind: ConsoleResultKind, id: string, owner: { sessionId: string; appId: string }): Promise<T | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.#db.query<ResultRow>(
      'DELETE FROM console_results WHERE id = $1 AND kind = $2 AND session_id = $3 AND app_id = $4 AND expires_at > $5 RETURNING app_id, sealed, created_at',
      [id, STORED_AS[kind], owner.sessionId, owner.appId, this.#clock.now()],
    );
    return rows[0] && this.#fromRow<T>(kind, rows[0])?.payload;
  }

  /** Forgets every result of this kind for this app (a secret regenerated again, by anyone). */
  async forgetAll(kind: ConsoleResultKind, appId: string): Promise<void> {
    if (STORED_AS[kind] !== kind) throw new Error(`${kind} results share their rows: forgetting them all would forget others`);
    await this.#db.query('DELETE FROM console_results WHERE kind = $1 AND app_id = $2', [kind, appId]);
  }

  /** The row's payload if it is of `kind` (a row shared by two kinds says which inside the seal). */
  #fromRow<T>(kind: ConsoleResultKind, row: ResultRow): { appId: string; payload: T; createdAt: Date } | undefined {
    const opened = JSON.parse(this.#box.open(row.sealed)) as unknown;
    const tagged = opened !== null && typeof opened === 'object' && SEALED_KIND in opened ? (opened as { [SEALED_KIND]: unknown; payload: T }) : undefined;
    if ((tagged?.[SEALED_KIND] ?? STORED_AS[kind]) !== kind) return undefined;
    return { appId: row.app_id, payload: tagged ? tagged.payload : (opened as T), createdAt: new Date(row.created_at) };
  }
}

/** A kind kept in another kind's rows is sealed with its name; the others as they always were. */
function sealedFor(kind: ConsoleResultKind, payload: unknown): unknown {
  return STORED_AS[kind] === kind ? payload : { [SEALED_KIND]: kind, payload };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type ResultRow = { app_id: string; sealed: Uint8Array; created_at: Date | string };
