import type { Database } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import type { AuditLog } from './audit.ts';
import type { Clock } from './clock.ts';
import { FrontdoorError } from './errors.ts';

/** What a guess is against: the account (a person id, or the typed email when nobody has it) and the address. */
export type ThrottleSubject = { audience: Audience; account: string; ip: string | undefined; personId?: string | undefined };
export type AttemptKind = 'password' | 'totp' | 'email_code' | 'recovery_code' | 'bypass';

// The policy (docs/ACCOUNTS.md "Brute-force protection"). Three counters per failed guess,
// in the database so every node sees the same numbers:
// - account + address: the 5th failure starts a back-off (so the 6th attempt is refused), 30 s,
//   then 60 s, 2 min, ... for each further failure, capped at 15 min;
// - account: at most 100 failures an hour, then paused until the hour ends. Addresses the
//   person signed in from in the last 30 days are exempt, so an attacker elsewhere cannot lock
//   the owner out; and the pause never outlasts the hour;
// - address: at most 300 failures an hour across all accounts (credential stuffing).
// Nothing is a permanent lock: every block ends by itself, and a successful sign-in or a
// password reset clears the account's counters.
export const THROTTLE_POLICY = {
  windowMs: 60 * 60_000,
  pairFreeFailures: 5,
  pairBaseDelayMs: 30_000,
  pairMaxDelayMs: 15 * 60_000,
  accountMaxFailures: 100,
  addressMaxFailures: 300,
  knownAddressDays: 30,
} as const;

type Scope = 'pair' | 'account' | 'address';

/** The counters `check` found for a subject (blocking or not). */
export type ThrottleState = { counters: ReadonlySet<string> };

export class SignInThrottle {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #audit: AuditLog;

  constructor(db: Database, clock: Clock, audit: AuditLog) {
    this.#db = db;
    this.#clock = clock;
    this.#audit = audit;
  }

  #keys(subject: ThrottleSubject): Record<Scope, string | undefined> {
    const account = `${subject.audience}:${subject.account.toLowerCase()}`;
    return {
      pair: subject.ip ? `pair:${account}|${subject.ip}` : undefined,
      account: `account:${account}`,
      address: subject.ip ? `address:${subject.ip}` : undefined,
    };
  }

  /**
   * Throws `auth.throttled` (with when to retry) while any counter of this subject blocks.
   * One query: the counters, and whether the person signed in from this address recently (then
   * the account-wide pause does not apply to them). Returns which counters exist, so that a
   * success clears only what is there.
   */
  async check(subject: ThrottleSubject): Promise<ThrottleState> {
    const keys = this.#keys(subject);
    const now = this.#clock.now();
    const since = new Date(now.getTime() - THROTTLE_POLICY.knownAddressDays * 86_400_000);
    const [row] = await this.#db.query<{ known_address: boolean; counters: { key: string; blocked_until: string | null }[] }>(
      `SELECT ($2::uuid IS NOT NULL AND $3::text IS NOT NULL AND EXISTS (
                SELECT 1 FROM sessions WHERE person_id = $2::uuid AND ip = $3::text AND restriction IS NULL AND created_at > $4)) AS known_address,
              COALESCE((SELECT json_agg(json_build_object('key', key, 'blocked_until', blocked_until))
                          FROM sign_in_throttle WHERE key = ANY($1::text[])), '[]') AS counters`,
      [Object.values(keys).filter(Boolean), subject.personId ?? null, subject.ip ?? null, since],
    );
    if (row!.known_address) keys.account = undefined;
    const relevant = new Set(Object.values(keys).filter(Boolean));
    const blockedUntil = row!.counters
      .filter((c) => relevant.has(c.key) && c.blocked_until !== null)
      .map((c) => new Date(c.blocked_until!).getTime())
      .filter((until) => until > now.getTime());
    if (blockedUntil.length) {
      const retryAfterSeconds = Math.max(1, Math.ceil((Math.max(...blockedUntil) - now.getTime()) / 1000));
      throw new FrontdoorError(
        'auth.throttled',
        `Too many failed attempts. Please wait ${describeWait(retryAfterSeconds)} and try again, or reset your password.`,
        { retryAfterSeconds },
      );
    }
    return { counters: new Set(row!.counters.map((c) => c.key)) };
  }

  /**
   * Counts one failed guess on each counter; audits each block it starts (`signin.lockout`).
   * Returns the blocks started, so the caller can alert the person.
   */
  async recordFailure(subject: ThrottleSubject, kind: AttemptKind): Promise<{ scope: Scope; until: Date }[]> {
    const now = this.#clock.now();
    const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMs);
    const started: { scope: Scope; until: Date }[] = [];
    for (const [scope, key] of Object.entries(this.#keys(subject)) as [Scope, string | undefined][]) {
      if (!key) continue;
      // One statement per counter: the row is created or bumped atomically, so concurrent
      // failures on several nodes are all counted. A window older than an hour restarts.
      const [row] = await this.#db.query<{ failures: number; window_started_at: Date; blocked_until: Date | null }>(
        `INSERT INTO sign_in_throttle AS t (key, failures, window_started_at, last_failure_at) VALUES ($1, 1, $2, $2)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.window_started_at <= $3 THEN 1 ELSE t.failures + 1 END,
           window_started_at = CASE WHEN t.window_started_at <= $3 THEN $2 ELSE t.window_started_at END,
           blocked_until = CASE WHEN t.window_started_at <= $3 THEN NULL ELSE t.blocked_until END,
           last_failure_at = $2
         RETURNING failures, window_started_at, blocked_until`,
        [key, now, windowStart],
      );
      const until = blockUntil(scope, row!.failures, new Date(row!.window_started_at), now);
      if (!until) continue;
      await this.#db.query('UPDATE sign_in_throttle SET blocked_until = $2 WHERE key = $1', [key, until]);
      const wasBlocked = row!.blocked_until && new Date(row!.blocked_until) > now;
      if (!wasBlocked) {
        started.push({ scope, until });
        await this.#audit.record({
          action: 'signin.lockout', outcome: 'failure', reason: 'auth.throttled', audience: subject.audience,
          actor: subject.personId ? { type: 'person', id: subject.personId } : { type: 'anonymous' },
          target: subject.personId ? { type: 'person', id: subject.personId } : undefined, ip: subject.ip,
          details: { scope, kind, failures: row!.failures, until: until.toISOString() },
        });
      }
    }
    return started;
  }

  /**
   * A success from this address clears its pair counter; a reset or success clears the
   * account's too. Given what `check` saw, counters that were not there cost no query.
   */
  async recordSuccess(subject: ThrottleSubject, options: { clearAccount?: boolean; seen?: ThrottleState } = {}): Promise<void> {
    const keys = this.#keys(subject);
    const clear = [keys.pair, options.clearAccount ? keys.account : undefined]
      .filter((k): k is string => Boolean(k))
      .filter((k) => !options.seen || options.seen.counters.has(k));
    if (clear.length) await this.#db.query('DELETE FROM sign_in_throttle WHERE key = ANY($1::text[])', [clear]);
  }

  /** For other per-key limits (reset mails per address): true while under `max` in the window, counting this one. */
  async allow(key: string, max: number): Promise<boolean> {
    const now = this.#clock.now();
    const [row] = await this.#db.query<{ failures: number }>(
      `INSERT INTO sign_in_throttle AS t (key, failures, window_started_at, last_failure_at) VALUES ($1, 1, $2, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at <= $3 THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at <= $3 THEN $2 ELSE t.window_started_at END,
         last_failure_at = $2
       RETURNING failures`,
      [key, now, new Date(now.getTime() - THROTTLE_POLICY.windowMs)],
    );
    return row!.failures <= max;
  }
}

function blockUntil(scope: Scope, failures: number, windowStart: Date, now: Date): Date | undefined {
  const p = THROTTLE_POLICY;
  if (scope === 'pair') {
    // Issue 14: this was `<=`, so the first refusal came at the 7th attempt while the docs say 5.
    if (failures < p.pairFreeFailures) return undefined;
    const delay = Math.min(p.pairBaseDelayMs * 2 ** (failures - p.pairFreeFailures), p.pairMaxDelayMs);
    return new Date(now.getTime() + delay);
  }
  const max = scope === 'account' ? p.accountMaxFailures : p.addressMaxFailures;
  return failures >= max ? new Date(windowStart.getTime() + p.windowMs) : undefined;
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
