import type { Database } from '../storage/database.ts';
import type { Clock } from './clock.ts';

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

  /** True the first time this id is seen for this app (until `keepUntil`), false after. */
  async firstUse(appId: string, id: string, keepUntil: Date): Promise<boolean> {
    const now = this.#clock.now();
    await this.#db.query('DELETE FROM used_token_ids WHERE app_id = $1 AND jti = $2 AND expires_at < $3', [appId, id, now]);
    const rows = await this.#db.query(
      'INSERT INTO used_token_ids (app_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING jti',
      [appId, id, keepUntil],
    );
    return rows.length === 1;
  }
}
