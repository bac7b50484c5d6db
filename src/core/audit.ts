import type { Queryable } from '../storage/database.ts';
import { PLAN_WITH_VALUES } from '../storage/plan-hints.ts';
import type { Statement } from '../storage/statement.ts';
import type { Audience } from './audience.ts';
import { decodeCursor, KEY_PART, pageSize, toPage, type ListPage } from './list-cursor.ts';

export type Actor =
  | { type: 'person'; id: string }
  | { type: 'api_key'; id: string }
  | { type: 'scim_connection'; id: string }
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
  /** The cursor of the page before (its `next`). */
  after?: string | undefined;
  /** Only events with an id below this: the older way to page, kept for API clients. */
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

  /** The first page of `page` as a plain array. */
  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return (await this.page(filter)).items;
  }

  /**
   * One page of events, newest first (id order), in keyset order (list-cursor.ts). Each filter
   * is a range of an index in id order (migration 0006): an action, or an action prefix as the
   * byte range [prefix, prefix with its last byte plus one) of the text_pattern_ops index; an
   * actor; a target. Written as a range, not LIKE, so that a plan prepared once (PGlite) still
   * uses the index, and `_` in a prefix is a character, not LIKE's wildcard.
   */
  async page(filter: AuditFilter = {}): Promise<ListPage<AuditEvent>> {
    const size = pageSize(filter.limit, 100, 500);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause.replace(/\?/g, () => `$${params.push(values.shift())}`));
    };
    if (filter.action?.endsWith('*')) {
      const prefix = filter.action.slice(0, -1);
      if (prefix) add('action ~>=~ ? AND action ~<~ ?', prefix, successorOf(prefix));
    } else if (filter.action) add('action = ?', filter.action);
    if (filter.outcome) add('outcome = ?', filter.outcome);
    if (filter.audience) add('audience = ?', filter.audience);
    if (filter.actorId) add('actor_id = ?', filter.actorId);
    if (filter.targetId) add('target_id = ?', filter.targetId);
    const after = filter.after ? decodeCursor(filter.after, [KEY_PART.bigint])[0] : filter.before;
    if (after) add('id < ?::bigint', after);
    params.push(size + 1);
    const rows = await this.#db.query<AuditRow>(
      // Planned with its values: how rare an action, prefix or outcome is decides the index.
      `${PLAN_WITH_VALUES}SELECT id::text, at, action, outcome, reason, audience, actor_type, actor_id, target_type, target_id, ip, details
         FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY audit_events.id DESC LIMIT $${params.length}`, // the column: a bare "id" is the text the SELECT makes of it
      params,
    );
    return toPage(rows, size, toEvent, (row) => [row.id]);
  }
}

/** The smallest string above every string that starts with `prefix`, in byte order. */
function successorOf(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function toEvent(row: AuditRow): AuditEvent {
  return {
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
  };
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
