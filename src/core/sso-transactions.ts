import type { Database } from '../storage/database.ts';
import { withSideWrites, type Statement } from '../storage/statement.ts';
import type { Audience } from './audience.ts';
import type { Clock } from './clock.ts';
import type { SecretBox } from './secrets.ts';
import { hashToken } from './tokens.ts';

/** A sign-in that has left for the identity service; everything the callback needs to check. */
export type SsoTransaction = {
  appId: string;
  audience: Audience;
  browserHash: Buffer;
  returnTo: string;
  traceId: string;
  /** Protocol secrets (PKCE verifier, nonce, SAML request id), sealed at rest. */
  secrets: Record<string, string>;
};

// Long enough to type a password and a second factor at the identity service; short enough
// that a leaked state is soon worthless.
export const SSO_TRANSACTION_TTL_MS = 10 * 60_000;

/**
 * Server-side store of in-flight sign-ins, keyed by the hash of `state` and shared by every
 * node: the callback may land on any node, and no SameSite rule can lose it. Taking one
 * deletes it, so a replayed callback finds nothing.
 */
export class SsoTransactionStore {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #box: SecretBox;

  constructor(db: Database, clock: Clock, box: SecretBox) {
    this.#db = db;
    this.#clock = clock;
    this.#box = box;
  }

  /** Stores a new transaction, with what must be written along with it (its trace), in one statement. */
  async save(state: string, transaction: SsoTransaction, alsoWrite: Statement[] = []): Promise<void> {
    const now = this.#clock.now();
    const insert: Statement = {
      text: `INSERT INTO sso_transactions (state_hash, app_id, audience, browser_hash, secrets, return_to, trace_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      params: [
        hashToken(state), transaction.appId, transaction.audience, transaction.browserHash,
        this.#box.seal(JSON.stringify(transaction.secrets)), transaction.returnTo, transaction.traceId, now,
        new Date(now.getTime() + SSO_TRANSACTION_TTL_MS),
      ],
    };
    // Expired rows are swept by whoever writes; no timer needed on any node.
    const sweep: Statement = { text: 'DELETE FROM sso_transactions WHERE expires_at < $1', params: [now] };
    const { text, params } = withSideWrites(insert, [...alsoWrite, sweep]);
    await this.#db.query(text, params);
  }

  /** Takes (and removes) the live transaction for this state, or undefined. Atomic: one taker wins. */
  async take(state: string): Promise<SsoTransaction | undefined> {
    const rows = await this.#db.query<{
      app_id: string; audience: Audience; browser_hash: Uint8Array; secrets: Uint8Array; return_to: string; trace_id: string;
    }>(
      'DELETE FROM sso_transactions WHERE state_hash = $1 AND expires_at > $2 RETURNING *',
      [hashToken(state), this.#clock.now()],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      appId: row.app_id,
      audience: row.audience,
      browserHash: Buffer.from(row.browser_hash),
      returnTo: row.return_to,
      traceId: row.trace_id,
      secrets: JSON.parse(this.#box.open(row.secrets)) as Record<string, string>,
    };
  }
}
