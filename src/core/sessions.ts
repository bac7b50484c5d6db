import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../storage/database.ts';
import { withSideWrites, type Statement } from '../storage/statement.ts';
import type { Audience } from './audience.ts';
import { ChangeListeners } from './change-listeners.ts';
import type { Clock } from './clock.ts';
import { decodeCursor, KEY_PART, keysetTimestamp, pageSize, toPage, type ListPage } from './list-cursor.ts';
import { hashToken, newToken } from './tokens.ts';

export type SessionFilter = {
  personId?: string | undefined;
  audience?: Audience | undefined;
  /** Live sessions only (the default). */
  activeOnly?: boolean;
  limit?: number | undefined;
  /** The cursor of the page before (its `next`). */
  after?: string | undefined;
};

export type Session = {
  id: string;
  personId: string;
  audience: Audience;
  appId: string | null;
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
  ip: string | null;
  userAgent: string | null;
  externalSubject: string | null;
  externalSid: string | null;
  /** Set while the second factor is pending or must be set up: such a session grants nothing else. */
  restriction: SessionRestriction | null;
};

export type SessionRestriction = 'second_factor' | 'two_factor_setup';

/** How long a password-verified session may wait for its second factor. */
export const RESTRICTED_SESSION_MS = 10 * 60_000;

export type SessionTimeouts = { idleMs: number; absoluteMs: number };
/** Fixed lengths, or each audience's current policy (SessionPolicy, set in the console). */
export type SessionTimeoutsSource = SessionTimeouts | ((audience: Audience) => Promise<SessionTimeouts>);

type SessionRow = {
  id: string; person_id: string; audience: Audience; app_id: string | null; created_at: Date; last_seen_at: Date;
  idle_expires_at: Date; absolute_expires_at: Date; revoked_at: Date | null; revoked_reason: string | null; ip: string | null;
  user_agent: string | null; external_subject: string | null; external_sid: string | null; restriction: SessionRestriction | null;
};

const SESSION_COLUMNS = `id, person_id, audience, app_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at,
  revoked_at, revoked_reason, ip, user_agent, external_subject, external_sid, restriction`;

// Sliding the idle expiry costs a write; doing it at most once a minute per session keeps
// the per-request check a read while still honouring idle timeouts to the minute.
export const TOUCH_INTERVAL_MS = 60_000;

export class SessionStore {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #timeouts: (audience: Audience) => Promise<SessionTimeouts>;
  /** Told after every revocation, so the per-request cache forgets at once on this node. */
  readonly changes = new ChangeListeners();

  constructor(db: Database, clock: Clock, timeouts: SessionTimeoutsSource) {
    this.#db = db;
    this.#clock = clock;
    this.#timeouts = typeof timeouts === 'function' ? timeouts : async () => timeouts;
  }

  /** A new session with a fresh token: called at every sign-in, so a planted token never survives one. */
  async create(
    input: {
      personId: string;
      audience: Audience;
      appId?: string | null;
      ip?: string | undefined;
      userAgent?: string | undefined;
      /** For single logout: the identity-service subject and session id, and the sealed ID token. */
      external?: { subject: string; sid?: string | undefined; sealedIdToken?: Buffer | undefined } | undefined;
      restriction?: SessionRestriction | undefined;
      /**
       * What must be written with the session, in the same statement (its audit entry, the
       * SSO trace): given the new session's id, before it is stored.
       */
      alsoWrite?: ((session: { id: string; restriction: SessionRestriction | null }) => Statement[]) | undefined;
    },
    q: Queryable = this.#db,
  ): Promise<{ token: string; session: Session }> {
    const token = newToken();
    const id = randomUUID();
    const timeouts = await this.#timeouts(input.audience);
    const now = this.#clock.now();
    const absolute = new Date(now.getTime() + (input.restriction ? RESTRICTED_SESSION_MS : timeouts.absoluteMs));
    const idle = new Date(Math.min(now.getTime() + timeouts.idleMs, absolute.getTime()));
    const insert: Statement = {
      text: `INSERT INTO sessions (id, token_hash, person_id, audience, app_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip,
                                   user_agent, external_subject, external_sid, id_token, restriction)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${SESSION_COLUMNS}`,
      params: [
        id, hashToken(token), input.personId, input.audience, input.appId ?? null, now, idle, absolute, input.ip ?? null,
        input.userAgent?.slice(0, 500) ?? null, input.external?.subject ?? null, input.external?.sid ?? null, input.external?.sealedIdToken ?? null,
        input.restriction ?? null,
      ],
    };
    const { text, params } = withSideWrites(insert, input.alsoWrite?.({ id, restriction: input.restriction ?? null }) ?? []);
    const [row] = await q.query<SessionRow>(text, params);
    return { token, session: toSession(row!) };
  }

  /**
   * The live session a cookie token stands for, in the given audience only (invariant 2),
   * or undefined: unknown, revoked, expired, of the other audience, or its person disabled.
   */
  async resolve(token: string, audience: Audience): Promise<Session | undefined> {
    return this.#resolve(token, audience, false);
  }

  /** A live session that waits for its second factor (or its setup): only the 2FA pages use this. */
  async resolveRestricted(token: string, audience: Audience): Promise<Session | undefined> {
    return this.#resolve(token, audience, true);
  }

  async #resolve(token: string, audience: Audience, restricted: boolean): Promise<Session | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const { idleMs } = await this.#timeouts(audience);
    const now = this.#clock.now();
    // The idle length in force now, not only the one stored at the last slide: an admin who
    // shortens it ends sessions idle longer than that at once, on every node (issue 18 part 8).
    const idleSince = new Date(now.getTime() - idleMs);
    const rows = await this.#db.query<SessionRow>(
      `SELECT s.id, s.person_id, s.audience, s.app_id, s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at,
              s.revoked_at, s.revoked_reason, s.ip, s.user_agent, s.external_subject, s.external_sid, s.restriction
         FROM sessions s JOIN people p ON p.id = s.person_id
        WHERE s.token_hash = $1 AND s.audience = $2 AND s.revoked_at IS NULL AND p.disabled_at IS NULL
          AND s.idle_expires_at > $3 AND s.absolute_expires_at > $3 AND (s.restriction IS NOT NULL OR s.last_seen_at > $4)
          AND s.restriction IS ${restricted ? 'NOT NULL' : 'NULL'}`,
      [hashToken(token), audience, now, idleSince],
    );
    const row = rows[0];
    if (!row) return undefined;
    const policyIdle = new Date(row.last_seen_at).getTime() + idleMs;
    if (!row.restriction && policyIdle < new Date(row.idle_expires_at).getTime()) row.idle_expires_at = new Date(policyIdle);
    if (now.getTime() - new Date(row.last_seen_at).getTime() >= TOUCH_INTERVAL_MS) {
      const idle = new Date(Math.min(now.getTime() + idleMs, new Date(row.absolute_expires_at).getTime()));
      await this.#db.query('UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1', [row.id, now, idle]);
      row.last_seen_at = now;
      row.idle_expires_at = idle;
    }
    return toSession(row);
  }

  /**
   * The second factor is done: the restricted session becomes a full one, under a new token
   * (the restricted one stops working), with full timeouts counted from now. Undefined when it
   * was no longer restricted or live: of two concurrent completions only one gets a token.
   */
  async lift(id: string, audience: Audience): Promise<{ token: string; session: Session } | undefined> {
    const token = newToken();
    const timeouts = await this.#timeouts(audience);
    const now = this.#clock.now();
    const absolute = new Date(now.getTime() + timeouts.absoluteMs);
    const idle = new Date(Math.min(now.getTime() + timeouts.idleMs, absolute.getTime()));
    const [row] = await this.#db.query<SessionRow>(
      `UPDATE sessions SET restriction = NULL, token_hash = $2, created_at = $3, last_seen_at = $3, idle_expires_at = $4, absolute_expires_at = $5
        WHERE id = $1 AND audience = $6 AND restriction IS NOT NULL AND revoked_at IS NULL AND absolute_expires_at > $3 RETURNING ${SESSION_COLUMNS}`,
      [id, hashToken(token), now, idle, absolute, audience],
    );
    return row ? { token, session: toSession(row) } : undefined;
  }

  /** Turns a pending-second-factor session into one that must set 2FA up first (or back). */
  async restrict(id: string, restriction: SessionRestriction): Promise<void> {
    await this.#db.query('UPDATE sessions SET restriction = $2 WHERE id = $1 AND restriction IS NOT NULL', [id, restriction]);
  }

  async get(id: string): Promise<Session | undefined> {
    const rows = await this.#db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]);
    return rows[0] && toSession(rows[0]);
  }

  /** The first page of `page` as a plain array. */
  async list(filter: SessionFilter): Promise<Session[]> {
    return (await this.page(filter)).items;
  }

  /**
   * One page of sessions, newest first, in keyset order (list-cursor.ts): a range of
   * sessions_person_created for a person's, else of the live-session indexes (migration 0006),
   * whose order is the list's, so a page costs its rows whatever the table holds.
   */
  async page(filter: SessionFilter): Promise<ListPage<Session>> {
    const size = pageSize(filter.limit, 100, 1000);
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.personId) where.push(`person_id = $${params.push(filter.personId)}`);
    if (filter.audience) where.push(`audience = $${params.push(filter.audience)}`);
    const idleMsOf = new Map<Audience, number>();
    if (filter.activeOnly ?? true) {
      const now = this.#clock.now();
      where.push(`revoked_at IS NULL AND idle_expires_at > $${params.push(now)} AND absolute_expires_at > $${params.length}`);
      // As the session check does: the idle length in force now, so a session an admin's
      // shorter idle length already ended is not listed as live until its next request.
      const audiences: Audience[] = filter.audience ? [filter.audience] : ['users', 'agents'];
      for (const audience of audiences) idleMsOf.set(audience, (await this.#timeouts(audience)).idleMs);
      where.push(`(restriction IS NOT NULL OR ${audiences
        .map((audience) => `(audience = '${audience}' AND last_seen_at > $${params.push(new Date(now.getTime() - idleMsOf.get(audience)!))})`)
        .join(' OR ')})`);
    }
    if (filter.after) {
      const [at, id] = decodeCursor(filter.after, [KEY_PART.timestamp, KEY_PART.uuid]);
      where.push(`(created_at, id) < ($${params.push(at)}::timestamptz, $${params.push(id)}::uuid)`);
    }
    params.push(size + 1);
    const rows = await this.#db.query<SessionRow & { cursor_at: string }>(
      `SELECT ${SESSION_COLUMNS}, ${keysetTimestamp('created_at')} AS cursor_at
         FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    for (const row of rows) {
      const idleMs = idleMsOf.get(row.audience);
      if (idleMs === undefined || row.restriction) continue;
      // The end the idle length in force gives, when it comes before the one stored at the last slide.
      const policyIdle = new Date(row.last_seen_at).getTime() + idleMs;
      if (policyIdle < new Date(row.idle_expires_at).getTime()) row.idle_expires_at = new Date(policyIdle);
    }
    return toPage(rows, size, toSession, (row) => [row.cursor_at, row.id]);
  }

  /** Revokes one session; true when it was live. */
  async revoke(id: string, reason: string): Promise<boolean> {
    const rows = await this.#db.query(
      'UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING id',
      [id, this.#clock.now(), reason],
    );
    this.changes.notify();
    return rows.length > 0;
  }

  /** The sealed ID token kept for RP-initiated logout (id_token_hint), if any. */
  async sealedIdToken(id: string): Promise<Uint8Array | undefined> {
    const rows = await this.#db.query<{ id_token: Uint8Array | null }>('SELECT id_token FROM sessions WHERE id = $1', [id]);
    return rows[0]?.id_token ?? undefined;
  }

  /** Back-channel logout: revokes the live sessions an identity-service session (or subject) started. */
  async revokeExternal(appId: string, match: { sid?: string | undefined; subject?: string | undefined }, reason: string): Promise<number> {
    if (!match.sid && !match.subject) return 0;
    const rows = await this.#db.query(
      `UPDATE sessions SET revoked_at = $2, revoked_reason = $3
        WHERE app_id = $1 AND revoked_at IS NULL
          AND ($4::text IS NULL OR external_sid = $4) AND ($5::text IS NULL OR external_subject = $5) RETURNING id`,
      [appId, this.#clock.now(), reason, match.sid ?? null, match.subject ?? null],
    );
    this.changes.notify();
    return rows.length;
  }

  /** Revokes every live session of a person, but `exceptId`; returns how many. */
  async revokeAllFor(personId: string, reason: string, exceptId?: string, q: Queryable = this.#db): Promise<number> {
    const rows = await q.query(
      `UPDATE sessions SET revoked_at = $2, revoked_reason = $3
        WHERE person_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4) RETURNING id`,
      [personId, this.#clock.now(), reason, exceptId ?? null],
    );
    this.changes.notify();
    return rows.length;
  }
}

function toSession(row: SessionRow): Session {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id,
    personId: row.person_id,
    audience: row.audience,
    appId: row.app_id,
    createdAt: iso(row.created_at)!,
    lastSeenAt: iso(row.last_seen_at)!,
    idleExpiresAt: iso(row.idle_expires_at)!,
    absoluteExpiresAt: iso(row.absolute_expires_at)!,
    revokedAt: iso(row.revoked_at),
    revokedReason: row.revoked_reason,
    ip: row.ip,
    userAgent: row.user_agent,
    externalSubject: row.external_subject,
    externalSid: row.external_sid,
    restriction: row.restriction,
  };
}
