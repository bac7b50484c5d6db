import { randomBytes } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import type { Clock } from './clock.ts';
import { FrontdoorError } from './errors.ts';
import type { Statement } from '../storage/statement.ts';
import { decodeCursor, KEY_PART, keysetTimestamp, pageSize, toPage, type ListPage } from './list-cursor.ts';

export type SsoTrace = {
  id: string;
  appId: string | null;
  audience: Audience;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'pending' | 'success' | 'failure';
  errorCode: string | null;
  failedCheck: string | null;
  detail: string | null;
  clockSkewMs: number | null;
  claims: Record<string, unknown> | null;
  personId: string | null;
  ip: string | null;
};

// Never stored in a trace, whatever a provider sends: an admin reading traces must not be
// handed credentials.
const SECRET_CLAIM = /^(access_token|refresh_token|id_token|code|client_secret|password|.*_secret|.*token)$/i;

/** Which attempt a trace is about: enough to write it whole if `startStatement` never did. */
export type TraceOrigin = { id: string; appId: string; audience: Audience; ip?: string | undefined };

export type TraceEnd =
  | { outcome: 'success'; /** null: a test sign-in that would create the account. */ personId: string | null; claims?: Record<string, unknown> | undefined; clockSkewMs?: number | undefined; detail?: string | undefined; errorCode?: undefined; failedCheck?: undefined }
  | { outcome: 'failure'; errorCode: string; failedCheck: string; detail?: string | undefined; claims?: Record<string, unknown> | undefined; clockSkewMs?: number | undefined; personId?: undefined };

/** The id a person sees on an error page and an admin looks up. */
export function newTraceId(): string {
  return randomBytes(9).toString('base64url');
}

// PostgreSQL text and jsonb cannot hold U+0000, and a JSON claim can (an OIDC userinfo, a JWT
// from a site whose users type their own profile): written as it came, it would fail the
// trace's insert, and the sign-in with a 5xx. The admin reads U+FFFD where it was.
const withoutNul = (text: string) => text.replaceAll('\u0000', '\uFFFD');
/** A JSON.stringify replacer: NUL out of every string, keys included. */
function storableJson(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), v]));
  return value;
}

export function withoutSecrets(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([key]) => !SECRET_CLAIM.test(key)));
}

/**
 * One trace per external sign-in attempt (Ory Polis style): the person sees only its id, the
 * admin reads which check failed, the measured clock skew and the claims received.
 */
export class SsoTraces {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** The trace of an attempt starting now, before the identity service is asked (OIDC and SAML sign-ins). */
  startStatement(trace: TraceOrigin): Statement {
    return {
      text: 'INSERT INTO sso_traces (id, app_id, audience, started_at, ip) VALUES ($1, $2, $3, $4, $5)',
      params: [trace.id, trace.appId, trace.audience, this.#clock.now(), trace.ip ?? null],
    };
  }

  /**
   * How an attempt ended, as one upsert: it updates a trace `startStatement` wrote, or writes the whole
   * trace at once for a sign-in that arrives unannounced (JWT), whose trace is only written
   * when its answer is known. A statement, so a sign-in can write it with its session.
   */
  finishStatement(trace: TraceOrigin, end: TraceEnd): Statement {
    const now = this.#clock.now();
    return {
      text: `INSERT INTO sso_traces (id, app_id, audience, ip, started_at, finished_at, outcome, person_id, error_code, failed_check, detail, claims, clock_skew_ms)
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (id) DO UPDATE SET finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome, person_id = EXCLUDED.person_id,
               error_code = EXCLUDED.error_code, failed_check = EXCLUDED.failed_check, detail = EXCLUDED.detail, claims = EXCLUDED.claims,
               clock_skew_ms = EXCLUDED.clock_skew_ms`,
      params: [
        trace.id, trace.appId, trace.audience, trace.ip ?? null, now, end.outcome, end.personId ?? null, end.errorCode ?? null, end.failedCheck ?? null,
        end.detail ? withoutNul(end.detail.slice(0, 2000)) : null, end.claims ? JSON.stringify(withoutSecrets(end.claims), storableJson) : null, end.clockSkewMs ?? null,
      ],
    };
  }

  async finish(trace: TraceOrigin, end: TraceEnd): Promise<void> {
    const { text, params } = this.finishStatement(trace, end);
    await this.#db.query(text, params);
  }

  /**
   * A refusal that ended no sign-in attempt of ours (a single-logout message we refused, an
   * unknown app, the loop guard, a sign-out refused): written at once as a failed trace, so
   * the id on its error page is one an admin can look up like any other. `appId` is null
   * when the address named no app we have.
   */
  async recordRefusal(
    trace: { id: string; appId: string | null; audience: Audience; ip?: string | undefined },
    refusal: { errorCode: string; failedCheck: string; detail?: string | undefined },
  ): Promise<void> {
    const now = this.#clock.now();
    await this.#db.query(
      `INSERT INTO sso_traces (id, app_id, audience, ip, started_at, finished_at, outcome, error_code, failed_check, detail)
       VALUES ($1, $2, $3, $4, $5, $5, 'failure', $6, $7, $8)`,
      [trace.id, trace.appId, trace.audience, trace.ip ?? null, now, refusal.errorCode, refusal.failedCheck, refusal.detail?.slice(0, 2000) ?? null],
    );
  }

  async require(id: string): Promise<SsoTrace> {
    const rows = await this.#db.query<TraceRow>('SELECT * FROM sso_traces WHERE id = $1', [id]);
    if (!rows[0]) throw new FrontdoorError('trace.not_found', 'No such SSO trace.');
    return toTrace(rows[0]);
  }

  /** The first page of `page` as a plain array. */
  async list(filter: TraceFilter): Promise<SsoTrace[]> {
    return (await this.page(filter)).items;
  }

  /**
   * One page of traces, newest first, in keyset order (list-cursor.ts): a range of the
   * started_at index of the filter (by app, by outcome, or all; migration 0006).
   */
  async page(filter: TraceFilter): Promise<ListPage<SsoTrace>> {
    const size = pageSize(filter.limit, 50, 500);
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.appId) where.push(`app_id = $${params.push(filter.appId)}`);
    if (filter.outcome) where.push(`outcome = $${params.push(filter.outcome)}`);
    if (filter.audience) where.push(`audience = $${params.push(filter.audience)}`);
    if (filter.after) {
      const [at, id] = decodeCursor(filter.after, [KEY_PART.timestamp, KEY_PART.traceId]);
      where.push(`(started_at, id) < ($${params.push(at)}::timestamptz, $${params.push(id)})`);
    }
    params.push(size + 1);
    const rows = await this.#db.query<TraceRow & { cursor_at: string }>(
      `SELECT *, ${keysetTimestamp('started_at')} AS cursor_at FROM sso_traces ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, size, toTrace, (row) => [row.cursor_at, row.id]);
  }
}

export type TraceFilter = {
  appId?: string | undefined;
  outcome?: SsoTrace['outcome'] | undefined;
  audience?: Audience | undefined;
  limit?: number | undefined;
  /** The cursor of the page before (its `next`). */
  after?: string | undefined;
};

type TraceRow = {
  id: string; app_id: string | null; audience: Audience; started_at: Date; finished_at: Date | null; outcome: SsoTrace['outcome'];
  error_code: string | null; failed_check: string | null; detail: string | null; clock_skew_ms: number | null;
  claims: Record<string, unknown> | null; person_id: string | null; ip: string | null;
};

function toTrace(row: TraceRow): SsoTrace {
  return {
    id: row.id,
    appId: row.app_id,
    audience: row.audience,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
    outcome: row.outcome,
    errorCode: row.error_code,
    failedCheck: row.failed_check,
    detail: row.detail,
    clockSkewMs: row.clock_skew_ms,
    claims: row.claims,
    personId: row.person_id,
    ip: row.ip,
  };
}
