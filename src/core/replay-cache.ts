import type { Database, Queryable } from '../storage/database.ts';
import type { Statement } from '../storage/statement.ts';
import type { Clock } from './clock.ts';

/**
 * A one-time id (a JWT's jti) to use up within a sign-in's own first statement rather than in
 * a round trip of its own: the statement (ReplayCache.firstUseStatement) and the refusal to
 * throw when the id was used before. Whoever takes one must use it up on every path.
 */
export type SingleUse = { statement: Statement; refusal: () => Error };

/** Uses up a single-use id on its own (the paths that have no statement to join it to). */
export async function useUp(q: Queryable, singleUse: SingleUse): Promise<void> {
  if ((await q.query(singleUse.statement.text, singleUse.statement.params)).length !== 1) throw singleUse.refusal();
}

/**
 * Single-use token ids (logout tokens' and JWTs' `jti`, SAML assertion ids), shared by every
 * node through the database. The primary key makes "first use" atomic: of concurrent uses,
 * exactly one inserts.
 */
export class ReplayCache {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /**
   * True the first time this id is seen for this app (until `keepUntil`), false after. One
   * statement: a new id inserts; a remembered id whose time is over is taken over (the
   * conditional DO UPDATE); a live one changes nothing and returns no row.
   */
  async firstUse(appId: string, id: string, keepUntil: Date): Promise<boolean> {
    const { text, params } = this.firstUseStatement(appId, id, keepUntil);
    return (await this.#db.query(text, params)).length === 1;
  }

  /** Whether this id is still remembered as used, reading only (an admin's check of a token must not use it up). */
  async isUsed(appId: string, id: string): Promise<boolean> {
    const rows = await this.#db.query('SELECT 1 FROM used_token_ids WHERE app_id = $1 AND jti = $2 AND expires_at >= $3', [appId, id, this.#clock.now()]);
    return rows.length > 0;
  }

  /** The same as a statement that returns one row on first use, none after: to be joined to another (see SsoTransactionStore.takeOnFirstUse). */
  firstUseStatement(appId: string, id: string, keepUntil: Date): Statement {
    return {
      text: `INSERT INTO used_token_ids (app_id, jti, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (app_id, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used_token_ids.expires_at < $4
       RETURNING jti`,
      params: [appId, id, keepUntil, this.#clock.now()],
    };
  }
}
