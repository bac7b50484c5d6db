import type { Audience } from './audience.ts';
import type { Clock } from './clock.ts';
import type { PeopleDirectory, Person } from './people.ts';
import { TOUCH_INTERVAL_MS, type Session, type SessionStore } from './sessions.ts';
import { tokenKey } from './tokens.ts';

export type CheckedSession = { session: Session; person: Person };

// The session's deadlines as numbers, read once when the entry is made: the check on every
// request then compares numbers instead of parsing three dates.
// fetchedAt is when the lookup that produced it began: an answer is never older than that,
// whatever the lookup's own duration.
type Entry = { value: CheckedSession; fetchedAt: number; liveUntil: number };

// How long an answer is reused. It bounds how late another node sees a revocation (the
// issue's promise: within 1 s everywhere); this node forgets at once through ChangeListeners.
const DEFAULT_TTL_MS = 900;
// From this age on, an answer still given is also refreshed in the background (once), so a
// busy cookie's answer is renewed before it expires and no request waits for the database:
// without it, every cookie's first request after each lifetime waited for a lookup, about 1 %
// of a proxy's requests at 200 a second, which set the check's p99.
const DEFAULT_REFRESH_AFTER_FRACTION = 0.5;
// Enough for every live browser of a large helpdesk on one node; past it the oldest go first.
const DEFAULT_MAX_ENTRIES = 20_000;

/**
 * The per-request question "whose live session is this cookie?" (every page, every proxied
 * request through forward auth). The answer takes several queries, so it is kept in memory
 * for under a second: a busy browser or proxy costs one database round trip a second, not one
 * a request. Only live sessions are kept; an unknown token always asks the database.
 */
export class SessionCheck {
  readonly #sessions: SessionStore;
  readonly #people: PeopleDirectory;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #refreshAfterMs: number;
  readonly #maxEntries: number;
  readonly #monotonicMs: () => number;
  #entries = new Map<string, Entry>();
  // Lookups under way, by key: concurrent asks for one cookie share one database round trip
  // (when a busy cookie's answer expires, hundreds of requests may ask within that trip).
  #loading = new Map<string, Promise<CheckedSession | undefined>>();
  // Bumped by forgetAll: a lookup that began before a revocation is not kept after it.
  #generation = 0;

  constructor(sessions: SessionStore, people: PeopleDirectory, clock: Clock, options: { ttlMs?: number; maxEntries?: number; monotonicMs?: () => number } = {}) {
    this.#sessions = sessions;
    this.#people = people;
    this.#clock = clock;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#refreshAfterMs = this.#ttlMs * DEFAULT_REFRESH_AFTER_FRACTION;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    // The cache's own clock (tests drive it); the session's expiry is the injected Clock's.
    this.#monotonicMs = options.monotonicMs ?? (() => performance.now());
    const forgetAll = () => this.forgetAll();
    sessions.changes.add(forgetAll);
    people.changes.add(forgetAll);
  }

  async check(token: string, audience: Audience): Promise<CheckedSession | undefined> {
    const key = `${audience}:${tokenKey(token)}`;
    const held = this.#held(key, token, audience);
    if (held) return held;
    this.#entries.delete(key);
    return this.#load(key, token, audience);
  }

  /**
   * The answer already in memory for this cookie, or undefined: never waits for the database
   * (it may start a background refresh of an ageing answer). For the forward-auth fast path,
   * which answers only what the cache holds and leaves the rest (and every refusal) to the
   * full route.
   */
  cached(token: string, audience: Audience): CheckedSession | undefined {
    return this.#held(`${audience}:${tokenKey(token)}`, token, audience);
  }

  /**
   * The answer kept for this key, if it may still be given. Monotonic time for the cache's own
   * lifetime: a test clock that stands still must not keep an answer forever. The session's
   * expiry is still judged by the injected clock. An answer past half its lifetime starts one
   * lookup in the background, whose result replaces it (or, when the session is gone, removes
   * it); the answer given meanwhile is still within its lifetime, so the bound on how late a
   * revocation is seen does not change.
   */
  #held(key: string, token: string, audience: Audience): CheckedSession | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const age = this.#monotonicMs() - entry.fetchedAt;
    if (age >= this.#ttlMs || this.#clock.now().getTime() >= entry.liveUntil) return undefined;
    if (age >= this.#refreshAfterMs && !this.#loading.has(key)) {
      // A failed refresh (database away) leaves the answer to expire as it would have; the
      // next request then asks the database itself and gets its precise refusal.
      this.#load(key, token, audience).catch(() => {});
    }
    return entry.value;
  }

  /** One database lookup per key at a time; its answer is kept unless a revocation came first. */
  #load(key: string, token: string, audience: Audience): Promise<CheckedSession | undefined> {
    const underWay = this.#loading.get(key);
    if (underWay) return underWay;
    const generation = this.#generation;
    const startedAt = this.#monotonicMs();
    const loading = this.#lookUp(token, audience)
      .then((value) => {
        if (generation === this.#generation) {
          if (value) this.#remember(key, value, startedAt);
          else this.#entries.delete(key);
        }
        return value;
      })
      .finally(() => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
      });
    this.#loading.set(key, loading);
    return loading;
  }

  /** Settles when the lookup under way for this cookie, if any, has finished (tests wait for a background renewal with it). */
  async settled(token: string, audience: Audience): Promise<void> {
    await this.#loading.get(`${audience}:${tokenKey(token)}`)?.catch(() => {});
  }

  /** How many sessions are held in memory now. */
  get size(): number {
    return this.#entries.size;
  }

  forgetAll(): void {
    this.#generation += 1;
    this.#entries = new Map();
    this.#loading = new Map();
  }

  async #lookUp(token: string, audience: Audience): Promise<CheckedSession | undefined> {
    const session = await this.#sessions.resolve(token, audience);
    if (!session) return undefined;
    const person = await this.#people.get(session.personId);
    // Belt and braces for invariant 2: the session and the person agree on the audience.
    if (!person || person.audience !== audience || person.disabled) return undefined;
    return { session, person };
  }

  /** Until when an answer may be reused: unexpired, and not yet due for the idle-window slide that only the database lookup does. */
  #liveUntil(session: Session): number {
    return Math.min(Date.parse(session.idleExpiresAt), Date.parse(session.absoluteExpiresAt), Date.parse(session.lastSeenAt) + TOUCH_INTERVAL_MS);
  }

  #remember(key: string, value: CheckedSession, fetchedAt: number): void {
    // A refreshed key moves to the back: the oldest pushed out is the least recently renewed.
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, fetchedAt, liveUntil: this.#liveUntil(value.session) });
  }
}
