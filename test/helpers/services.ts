import { loadConfig, type Config } from '../../src/config.ts';
import type { Clock } from '../../src/core/clock.ts';
import { createServices, type Services } from '../../src/core/services.ts';
import type { Database } from '../../src/storage/database.ts';
import { freshDatabase } from './database.ts';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  #now: number;
  constructor(start = Date.now()) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** Real time plus an offset the test sets: Frontdoor running ahead of or behind a provider. */
export class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/**
 * Real time until the test holds it, then still at that instant until moved by hand: for a
 * file whose sign-ins go through a peer on real time (an OpenID provider's `iat` and `exp`,
 * which a frozen clock falls behind while a busy machine runs the file) and whose later tests
 * need Frontdoor's time exact (a throttle's Retry-After).
 */
export class HoldableClock implements Clock {
  #heldAt: number | undefined;
  now(): Date {
    return new Date(this.#heldAt ?? Date.now());
  }
  hold(): void {
    this.#heldAt ??= Date.now();
  }
  advance(ms: number): void {
    if (this.#heldAt === undefined) throw new Error('hold the clock before moving it');
    this.#heldAt += ms;
  }
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ PUBLIC_URL: 'http://localhost:8080', LOG_LEVEL: 'silent', ...overrides });
}

export async function testServices(options: { clock?: Clock; env?: Record<string, string>; database?: Database } = {}): Promise<Services> {
  const db = options.database ?? (await freshDatabase());
  return createServices(db, testConfig(options.env), options.clock);
}
