import type { Queryable } from '../storage/database.ts';
import type { Statement } from '../storage/statement.ts';
import type { Audience } from './audience.ts';

export type Actor =
  | { type: 'person'; id: string }
  | { type: 'api_key'; id: string }
  | { type: 'cli' }
  | { type: 'system' }
  | { type: 'anonymous' };

export type AuditEntry = {
  action: string;
  outcome: 'success' | 'failure';
  /** The error code of a failure: the same stable code the client saw. */
  reason?: string | undefined;
  audience?: Audience | undefined;
  actor: Actor;
  target?: { type: string; id: string } | undefined;
  ip?: string | undefined;
  details?: Record<string, unknown> | undefined;
};

export type AuditEvent = {
  id: string;
  at: string;
  action: string;
  outcome: 'success' | 'failure';
  reason: string | null;
  audience: Audience | null;
  actor: { type: string; id: string | null };
  target: { type: string; id: string } | null;
  ip: string | null;
  details: Record<string, unknown>;
};

export type AuditFilter = {
  action?: string | undefined;
  outcome?: 'success' | 'failure' | undefined;
  audience?: Audience | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
  /** Only events with an id below this (pagination, newest first). */
  before?: string | undefined;
  limit?: number | undefined;
};

type AuditRow = {
  id: string; at: Date; action: string; outcome: 'success' | 'failure'; reason: string | null; audience: Audience | null;
  actor_type: string; actor_id: string | null; target_type: string | null; target_id: string | null; ip: string | null;
  details: Record<string, unknown>;
};

/** The INSERT of one audit entry, to run alone or as a side write of a sign-in (withSideWrites). */
export function auditStatement(entry: AuditEntry): Statement {
  return {
    text: `INSERT INTO audit_events (action, outcome, reason, audience, actor_type, actor_id, target_type, target_id, ip, details)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    params: [
      entry.action,
      entry.outcome,
      entry.reason ?? null,
      entry.audience ?? null,
      entry.actor.type,
      'id' in entry.actor ? entry.actor.id : null,
      entry.target?.type ?? null,
      entry.target?.id ?? null,
      entry.ip ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  };
}

export class AuditLog {
  readonly #db: Queryable;
  constructor(db: Queryable) {
    this.#db = db;
  }

  /** Records one event; pass the transaction's Queryable to make it part of that change. */
  async record(entry: AuditEntry, db: Queryable = this.#db): Promise<void> {
    const { text, params } = auditStatement(entry);
    await db.query(text, params);
  }

  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.action) add(filter.action.endsWith('*') ? 'action LIKE ?' : 'action = ?', filter.action.replace(/\*$/, '%'));
    if (filter.outcome) add('outcome = ?', filter.outcome);
    if (filter.audience) add('audience = ?', filter.audience);
    if (filter.actorId) add('actor_id = ?', filter.actorId);
    if (filter.targetId) add('target_id = ?', filter.targetId);
    if (filter.before) add('audit_events.id < ?::bigint', filter.before);
    params.push(Math.min(Math.max(filter.limit ?? 100, 1), 500));
    const rows = await this.#db.query<AuditRow>(
      `SELECT id::text, at, action, outcome, reason, audience, actor_type, actor_id, target_type, target_id, ip, details
         FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY audit_events.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      at: new Date(row.at).toISOString(),
      action: row.action,
      outcome: row.outcome,
      reason: row.reason,
      audience: row.audience,
      actor: { type: row.actor_type, id: row.actor_id },
      target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id } : null,
      ip: row.ip,
      details: row.details,
    }));
  }
}

/** What an admin change records: the same row whether it came through the API or the console. */
export type AdminChange = { action: string; targetType: string; audience?: Audience | undefined };

export async function recordAdminChange(
  audit: AuditLog, change: AdminChange, actor: Actor, ip: string | undefined, targetId: string | undefined,
): Promise<void> {
  await audit.record({
    action: change.action, outcome: 'success', audience: change.audience, actor, ip,
    ...(targetId ? { target: { type: change.targetType, id: targetId } } : {}),
  });
}
