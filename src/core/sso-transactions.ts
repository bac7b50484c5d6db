import type { Database } from '../storage/database.ts';
import { renumbered, withSideWrites, type Statement } from '../storage/statement.ts';
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

/** Who started a test sign-in (docs/ADMIN-CONSOLE.md, "Testing an app"): kept in the sealed secrets. */
export type TestSignInOwner = { sessionId: string; personId: string };

const TEST_SESSION = 'testSessionId';
const TEST_PERSON = 'testPersonId';

/** A transaction's secrets marked as a test sign-in of this admin session. */
export function withTestOwner(secrets: Record<string, string>, owner: TestSignInOwner | undefined): Record<string, string> {
  return owner ? { ...secrets, [TEST_SESSION]: owner.sessionId, [TEST_PERSON]: owner.personId } : secrets;
}

/** The owner of a test sign-in, from its transaction's secrets; undefined for a real one. */
export function testOwnerOf(secrets: Record<string, string> | undefined): TestSignInOwner | undefined {
  const sessionId = secrets?.[TEST_SESSION];
  const personId = secrets?.[TEST_PERSON];
  return sessionId && personId ? { sessionId, personId } : undefined;
}

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
    const rows = await this.#db.query<TransactionRow>(
      'DELETE FROM sso_transactions WHERE state_hash = $1 AND expires_at > $2 RETURNING *',
      [hashToken(state), this.#clock.now()],
    );
    return rows[0] && this.#fromRow(rows[0]);
  }

  /**
   * `firstUse` (a statement returning a row only the first time an id is used: the replay
   * cache's) and, only if it returned one, take the transaction: one round trip for a SAML
   * answer's two single-use checks. A replayed answer takes nothing, as when the two were
   * asked in turn; so does an answer whose transaction is gone (its id is then used up).
   */
  async takeOnFirstUse(state: string, firstUse: Statement): Promise<{ firstUse: boolean; transaction: SsoTransaction | undefined }> {
    const [row] = await this.#db.query<TransactionRow & { first_use: boolean }>(
      `WITH used AS (${renumbered(firstUse.text, 2)}),
            taken AS (DELETE FROM sso_transactions WHERE state_hash = $1 AND expires_at > $2 AND EXISTS (SELECT 1 FROM used) RETURNING *)
       SELECT EXISTS (SELECT 1 FROM used) AS first_use, taken.* FROM (SELECT 1) AS one LEFT JOIN taken ON true`,
      [hashToken(state), this.#clock.now(), ...firstUse.params],
    );
    return { firstUse: row?.first_use === true, transaction: row?.state_hash ? this.#fromRow(row) : undefined };
  }

  #fromRow(row: TransactionRow): SsoTransaction {
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

type TransactionRow = {
  state_hash: Uint8Array | null; app_id: string; audience: Audience; browser_hash: Uint8Array; secrets: Uint8Array; return_to: string; trace_id: string;
};
