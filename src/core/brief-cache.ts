// How long a read is reused. Like the session check's, it bounds how late another node sees
// a change (an app turned off, a setting changed: within 1 s everywhere); this node forgets
// at once, because every write here goes through the module that owns the cache.
export const BRIEF_CACHE_TTL_MS = 900;

type Entry<V> = { value: Promise<V>; loadedAt: number };

/**
 * Database reads that every sign-in repeats (the app, its decrypted secrets, the audience
 * settings), kept in memory for under a second. Concurrent misses share one load; a load
 * that fails is not kept; a load that started before `forgetAll()` is not kept either, so a
 * write on this node is never hidden by a read that raced it.
 */
export class BriefCache<K, V> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  #entries = new Map<K, Entry<V>>();
  #generation = 0;

  constructor(options: { ttlMs?: number; maxEntries?: number; /** Monotonic milliseconds (tests pass their own). */ now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? BRIEF_CACHE_TTL_MS;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The cached value, or `load()`'s. `keep` says whether a loaded value may be cached (e.g. not "not found"). */
  get(key: K, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const cached = this.#entries.get(key);
    // Monotonic time: a test clock that stands still must not keep a value forever.
    if (cached && this.#now() - cached.loadedAt < this.#ttlMs) return cached.value;
    if (cached) this.#entries.delete(key);
    const generation = this.#generation;
    const loadedAt = this.#now();
    const value = load();
    const entry = { value, loadedAt };
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as K);
    value.then(
      (loaded) => {
        if (generation !== this.#generation || !keep(loaded)) this.#forgetEntry(key, entry);
      },
      () => this.#forgetEntry(key, entry),
    );
    return value;
  }

  forgetAll(): void {
    this.#generation += 1;
    this.#entries = new Map();
  }

  #forgetEntry(key: K, entry: Entry<V>): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
  }
}

/** Cached objects are shared: frozen, so no caller changes one under another's feet. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
