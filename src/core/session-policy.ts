import { z } from 'zod';
import type { Database } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import type { Actor, AuditLog } from './audit.ts';
import { BriefCache, deepFreeze } from './brief-cache.ts';
import type { SessionTimeouts } from './sessions.ts';
import { FrontdoorError } from './errors.ts';
import { parseInput } from './validation.ts';

/**
 * The console's bounds, also the database's CHECKs (migration 0009). Idle under 5 minutes
 * would end sessions between two pages; the idle window slides at most once a minute.
 */
export const SESSION_POLICY_BOUNDS = {
  idleMinutes: { min: 5, max: 60 * 24 * 90 },
  absoluteHours: { min: 1, max: 24 * 365 },
  rememberDeviceDays: { min: 1, max: 90 },
} as const;

const bounded = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

/** What PATCH /api/v1/settings/sessions takes per audience: null puts a length back to the environment's default, and turns remembering off. */
const AudiencePolicyChangesSchema = z
  .object({
    idleMinutes: bounded(SESSION_POLICY_BOUNDS.idleMinutes).nullable().optional(),
    absoluteHours: bounded(SESSION_POLICY_BOUNDS.absoluteHours).nullable().optional(),
    rememberDeviceDays: bounded(SESSION_POLICY_BOUNDS.rememberDeviceDays).nullable().optional(),
  })
  .strict();
export const SessionPolicyChangesSchema = z
  .object({ users: AudiencePolicyChangesSchema.optional(), agents: AudiencePolicyChangesSchema.optional() })
  .strict();
export type SessionPolicyChanges = z.infer<typeof SessionPolicyChangesSchema>;

export type AudienceSessionPolicy = {
  idleMinutes: number;
  absoluteHours: number;
  /** Whether each length is the environment's default (nothing stored). */
  fromEnvironment: { idleMinutes: boolean; absoluteHours: boolean };
  /** "Remember this device" for the second factor, for this many days; null: off (the default). */
  rememberDeviceDays: number | null;
};
export type SessionPolicySettings = Record<Audience, AudienceSessionPolicy>;

type PolicyRow = { audience: Audience; session_idle_minutes: number | null; session_absolute_hours: number | null; remember_device_days: number | null };

const AUDIENCES: Audience[] = ['users', 'agents'];

/**
 * Session lengths and "remember this device" per audience, set by admins; the environment's
 * SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS stay the defaults. Read by every sign-in and
 * every session check: kept for under a second, forgotten at once on the node that changes
 * it (others see a change within 1 s, brief-cache.ts).
 */
export class SessionPolicy {
  readonly #db: Database;
  readonly #audit: AuditLog;
  readonly #defaults: { idleMinutes: number; absoluteHours: number };
  readonly #cache = new BriefCache<'policy', SessionPolicySettings>();

  constructor(db: Database, audit: AuditLog, defaults: SessionTimeouts) {
    this.#db = db;
    this.#audit = audit;
    this.#defaults = { idleMinutes: Math.round(defaults.idleMs / 60_000), absoluteHours: Math.round(defaults.absoluteMs / 3_600_000) };
  }

  settings(): Promise<SessionPolicySettings> {
    return this.#cache.get('policy', () => this.#read());
  }

  async timeouts(audience: Audience): Promise<SessionTimeouts> {
    const policy = (await this.settings())[audience];
    return { idleMs: policy.idleMinutes * 60_000, absoluteMs: policy.absoluteHours * 3_600_000 };
  }

  async #read(): Promise<SessionPolicySettings> {
    const rows = await this.#db.query<PolicyRow>('SELECT audience, session_idle_minutes, session_absolute_hours, remember_device_days FROM audience_settings');
    const of = (audience: Audience): AudienceSessionPolicy => {
      const row = rows.find((r) => r.audience === audience);
      return {
        idleMinutes: row?.session_idle_minutes ?? this.#defaults.idleMinutes,
        absoluteHours: row?.session_absolute_hours ?? this.#defaults.absoluteHours,
        fromEnvironment: { idleMinutes: row?.session_idle_minutes == null, absoluteHours: row?.session_absolute_hours == null },
        rememberDeviceDays: row?.remember_device_days ?? null,
      };
    };
    return deepFreeze({ users: of('users'), agents: of('agents') });
  }

  /**
   * Applies any subset in one transaction (the audience rows locked, so two admins saving at
   * once serialise), audited with what changed. Refused, changing nothing, when a length is out
   * of bounds (`request.invalid`, naming the field) or the idle length would exceed the absolute
   * one (`session_policy.idle_exceeds_absolute`): such a policy does not mean what it says.
   */
  async update(input: SessionPolicyChanges, actor: Actor): Promise<SessionPolicySettings> {
    const changes = parseInput(SessionPolicyChangesSchema, input);
    await this.#db.transaction(async (q) => {
      const rows = await q.query<PolicyRow>(
        'SELECT audience, session_idle_minutes, session_absolute_hours, remember_device_days FROM audience_settings ORDER BY audience FOR UPDATE',
      );
      for (const audience of AUDIENCES) {
        const change = changes[audience];
        const row = rows.find((r) => r.audience === audience);
        if (!change || !row) continue;
        const pick = <K extends keyof typeof change>(key: K, stored: number | null) => (change[key] === undefined ? stored : (change[key] ?? null));
        const idle = pick('idleMinutes', row.session_idle_minutes);
        const absolute = pick('absoluteHours', row.session_absolute_hours);
        const remember = pick('rememberDeviceDays', row.remember_device_days);
        const idleMinutes = idle ?? this.#defaults.idleMinutes;
        const absoluteHours = absolute ?? this.#defaults.absoluteHours;
        if (idleMinutes > absoluteHours * 60) {
          throw new FrontdoorError(
            'session_policy.idle_exceeds_absolute',
            `${audience === 'users' ? 'Users' : 'Agents'}: the idle length (${idleMinutes} minutes) is longer than the absolute length (${absoluteHours} hours). Shorten the idle length or lengthen the absolute one.`,
            { audience, idleMinutes, absoluteHours },
          );
        }
        await q.query(
          'UPDATE audience_settings SET session_idle_minutes = $2, session_absolute_hours = $3, remember_device_days = $4, updated_at = now() WHERE audience = $1',
          [audience, idle, absolute, remember],
        );
      }
      await this.#audit.record({ action: 'settings.sessions_changed', outcome: 'success', actor, details: { ...changes } }, q);
    });
    this.#cache.forgetAll();
    return this.settings();
  }
}
