import { randomBytes } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import type { Clock } from './clock.ts';
import { FrontdoorError } from './errors.ts';

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

  async start(input: { appId: string; audience: Audience; ip?: string | undefined }): Promise<string> {
    const id = randomBytes(9).toString('base64url');
    await this.#db.query('INSERT INTO sso_traces (id, app_id, audience, started_at, ip) VALUES ($1, $2, $3, $4, $5)', [
      id, input.appId, input.audience, this.#clock.now(), input.ip ?? null,
    ]);
    return id;
  }

  async succeed(id: string, facts: { personId: string; claims?: Record<string, unknown>; clockSkewMs?: number | undefined; detail?: string }): Promise<void> {
    await this.#db.query(
      `UPDATE sso_traces SET outcome = 'success', finished_at = $2, person_id = $3, claims = $4, clock_skew_ms = $5, detail = $6 WHERE id = $1`,
      [id, this.#clock.now(), facts.personId, facts.claims ? JSON.stringify(withoutSecrets(facts.claims)) : null, facts.clockSkewMs ?? null, facts.detail ?? null],
    );
  }

  async fail(
    id: string,
    facts: { errorCode: string; failedCheck: string; detail?: string | undefined; claims?: Record<string, unknown> | undefined; clockSkewMs?: number | undefined },
  ): Promise<void> {
    await this.#db.query(
      `UPDATE sso_traces SET outcome = 'failure', finished_at = $2, error_code = $3, failed_check = $4, detail = $5, claims = $6, clock_skew_ms = $7
        WHERE id = $1`,
      [
        id, this.#clock.now(), facts.errorCode, facts.failedCheck, facts.detail?.slice(0, 2000) ?? null,
        facts.claims ? JSON.stringify(withoutSecrets(facts.claims)) : null, facts.clockSkewMs ?? null,
      ],
    );
  }

  async require(id: string): Promise<SsoTrace> {
    const rows = await this.#db.query<TraceRow>('SELECT * FROM sso_traces WHERE id = $1', [id]);
    if (!rows[0]) throw new FrontdoorError('trace.not_found', 'No such SSO trace.');
    return toTrace(rows[0]);
  }

  async list(filter: { appId?: string | undefined; outcome?: SsoTrace['outcome'] | undefined; limit?: number | undefined }): Promise<SsoTrace[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.appId) where.push(`app_id = $${params.push(filter.appId)}`);
    if (filter.outcome) where.push(`outcome = $${params.push(filter.outcome)}`);
    params.push(Math.min(Math.max(filter.limit ?? 50, 1), 500));
    const rows = await this.#db.query<TraceRow>(
      `SELECT * FROM sso_traces ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toTrace);
  }
}

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
