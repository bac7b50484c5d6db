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

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ PUBLIC_URL: 'http://localhost:8080', LOG_LEVEL: 'silent', ...overrides });
}

export async function testServices(options: { clock?: Clock; env?: Record<string, string>; database?: Database } = {}): Promise<Services> {
  const db = options.database ?? (await freshDatabase());
  return createServices(db, testConfig(options.env), options.clock);
}
