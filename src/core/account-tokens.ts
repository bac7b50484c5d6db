import { randomInt } from 'node:crypto';
import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from './clock.ts';
import { FrontdoorError } from './errors.ts';
import { hashToken, newToken } from './tokens.ts';

export type TokenPurpose = 'email_validation' | 'password_reset' | 'email_code' | 'admin_bypass';

export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  email_validation: 24 * 60 * 60_000,
  password_reset: 60 * 60_000,
  email_code: 10 * 60_000,
  admin_bypass: 5 * 60_000,
};

/**
 * Single-use, expiring secrets that travel by email. Only their SHA-256 is stored. Use is a
 * conditional UPDATE (`used_at IS NULL AND expires_at > now`), so of two concurrent uses of
 * one link exactly one succeeds, on any node.
 */
export class AccountTokens {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async issue(purpose: Exclude<TokenPurpose, 'email_code'>, personId: string, q: Queryable = this.#db): Promise<string> {
    const token = newToken();
    const now = this.#clock.now();
    await q.query(
      'INSERT INTO account_tokens (token_hash, purpose, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [hashToken(token), purpose, personId, now, new Date(now.getTime() + TOKEN_LIFETIME_MS[purpose])],
    );
    return token;
  }

  /** A fresh 6-digit email code; the person's earlier codes stop working. */
  async issueCode(personId: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.#clock.now();
    await this.#db.transaction(async (q) => {
      await q.query("DELETE FROM account_tokens WHERE person_id = $1 AND purpose = 'email_code'", [personId]);
      await q.query(
        "INSERT INTO account_tokens (token_hash, purpose, person_id, created_at, expires_at) VALUES ($1, 'email_code', $2, $3, $4)",
        [codeHash(personId, code), personId, now, new Date(now.getTime() + TOKEN_LIFETIME_MS.email_code)],
      );
    });
    return code;
  }

  /** True once for a right, unexpired code; false otherwise (wrong, used or expired). */
  async consumeCode(personId: string, code: string): Promise<'ok' | 'used' | 'invalid'> {
    if (!/^\d{6}$/.test(code)) return 'invalid';
    const now = this.#clock.now();
    const hash = codeHash(personId, code);
    const rows = await this.#db.query(
      `UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND person_id = $2 AND purpose = 'email_code'
          AND used_at IS NULL AND expires_at > $3 RETURNING person_id`,
      [hash, personId, now],
    );
    if (rows.length) return 'ok';
    const used = await this.#db.query("SELECT 1 FROM account_tokens WHERE token_hash = $1 AND purpose = 'email_code' AND used_at IS NOT NULL", [hash]);
    return used.length ? 'used' : 'invalid';
  }

  /** Whose link this is, without using it (the page that asks for a new password); throws the precise reason. */
  async peek(purpose: TokenPurpose, token: string): Promise<{ personId: string }> {
    const [row] = await this.#db.query<{ person_id: string; used_at: Date | null; expires_at: Date }>(
      'SELECT person_id, used_at, expires_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2',
      [hashToken(token), purpose],
    );
    this.#refuse(row);
    return { personId: row!.person_id };
  }

  async consume(purpose: TokenPurpose, token: string, q: Queryable = this.#db): Promise<{ personId: string }> {
    const now = this.#clock.now();
    const [row] = await q.query<{ person_id: string }>(
      `UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
       RETURNING person_id`,
      [hashToken(token), purpose, now],
    );
    if (row) return { personId: row.person_id };
    const [found] = await q.query<{ person_id: string; used_at: Date | null; expires_at: Date }>(
      'SELECT person_id, used_at, expires_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2',
      [hashToken(token), purpose],
    );
    this.#refuse(found);
    // Raced with another use that committed between the two statements.
    throw new FrontdoorError('account.link_used', 'This link was already used. Links work only once.');
  }

  /** Every unused link of this purpose for this person stops working (a new password was set). */
  async revokeAll(personId: string, purposes: TokenPurpose[], q: Queryable = this.#db): Promise<void> {
    await q.query('UPDATE account_tokens SET used_at = $3 WHERE person_id = $1 AND purpose = ANY($2::text[]) AND used_at IS NULL', [
      personId, purposes, this.#clock.now(),
    ]);
  }

  #refuse(row: { used_at: Date | null; expires_at: Date } | undefined): void {
    if (!row) throw new FrontdoorError('account.link_invalid', 'This link is not valid. Check that you copied all of it, or ask for a new one.');
    if (row.used_at) throw new FrontdoorError('account.link_used', 'This link was already used. Links work only once.');
    if (new Date(row.expires_at) <= this.#clock.now()) {
      throw new FrontdoorError('account.link_expired', 'This link has expired. Ask for a new one.');
    }
  }
}

function codeHash(personId: string, code: string): Buffer {
  return hashToken(`email-code:${personId}:${code}`);
}
