import type { Database } from '../storage/database.ts';
import type { Clock } from './clock.ts';
import type { SecretBox } from './secrets.ts';

/** How long a secret made in the console (an API key, a SCIM token, a JWT shared secret) is shown again on reload, to the session that made it. */
export const SHOWN_SECRET_TTL_MS = 15 * 60_000;

export type ConsoleResultKind = 'shared_secret' | 'test_ticket' | 'test_sign_in' | 'app_test' | 'api_key' | 'scim_token';

/**
 * What the admin console shows one admin session for a while: a new or regenerated secret (JWT
 * shared secret, API key, SCIM token), a test sign-in's ticket and report, a Test's report. Sealed at rest (the SecretBox), bound to the session that
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
  async save(kind: ConsoleResultKind, owner: { sessionId: string; appId?: string | undefined }, payload: unknown, ttlMs: number): Promise<string> {
    const now = this.#clock.now();
    // Expired rows are swept by whoever writes; no timer needed on any node.
    const [row] = await this.#db.query<{ id: string }>(
      `WITH sweep AS (DELETE FROM console_results WHERE expires_at < $6)
       INSERT INTO console_results (kind, session_id, app_id, sealed, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $7) RETURNING id`,
      [kind, owner.sessionId, owner.appId ?? null, this.#box.seal(JSON.stringify(payload)), now, now, new Date(now.getTime() + ttlMs)],
    );
    return row!.id;
  }

  /** The live result with this id, of this kind and session, or undefined (any other session: undefined). */
  async find<T>(kind: ConsoleResultKind, id: string, sessionId: string): Promise<{ appId: string | null; payload: T; createdAt: Date } | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.#db.query<ResultRow>(
      'SELECT app_id, sealed, created_at FROM console_results WHERE id = $1 AND kind = $2 AND session_id = $3 AND expires_at > $4',
      [id, kind, sessionId, this.#clock.now()],
    );
    return rows[0] && this.#fromRow<T>(rows[0]);
  }

  /** The newest live result of this kind for this session and app. */
  async latest<T>(kind: ConsoleResultKind, sessionId: string, appId: string): Promise<{ appId: string | null; payload: T; createdAt: Date } | undefined> {
    const rows = await this.#db.query<ResultRow>(
      `SELECT app_id, sealed, created_at FROM console_results WHERE session_id = $1 AND app_id = $2 AND kind = $3 AND expires_at > $4
        ORDER BY created_at DESC LIMIT 1`,
      [sessionId, appId, kind, this.#clock.now()],
    );
    return rows[0] && this.#fromRow<T>(rows[0]);
  }

  /** Takes (and removes) a live one-time result: of two takers, one wins. */
  async take<T>(kind: ConsoleResultKind, id: string, owner: { sessionId: string; appId: string }): Promise<T | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.#db.query<ResultRow>(
      'DELETE FROM console_results WHERE id = $1 AND kind = $2 AND session_id = $3 AND app_id = $4 AND expires_at > $5 RETURNING app_id, sealed, created_at',
      [id, kind, owner.sessionId, owner.appId, this.#clock.now()],
    );
    return rows[0] && this.#fromRow<T>(rows[0]).payload;
  }

  /** Forgets every result of this kind for this app (a secret regenerated again, by anyone). */
  async forgetAll(kind: ConsoleResultKind, appId: string): Promise<void> {
    await this.#db.query('DELETE FROM console_results WHERE kind = $1 AND app_id = $2', [kind, appId]);
  }

  #fromRow<T>(row: ResultRow): { appId: string | null; payload: T; createdAt: Date } {
    return { appId: row.app_id, payload: JSON.parse(this.#box.open(row.sealed)) as T, createdAt: new Date(row.created_at) };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type ResultRow = { app_id: string | null; sealed: Uint8Array; created_at: Date | string };
