import type { Database } from '../storage/database.ts';
import type { AuditLog } from './audit.ts';
import type { Clock } from './clock.ts';
import { FrontdoorError } from './errors.ts';
import type { Person, PeopleDirectory } from './people.ts';
import { hashToken, newToken } from './tokens.ts';

/** How long a printed setup link works; a restart while no admin exists prints a new one. */
export const SETUP_LINK_LIFETIME_MS = 24 * 60 * 60_000;
// Any fixed number: two setups at once (two links, two nodes) serialise on it, so the
// "no admin yet" check and the creation cannot interleave and make two first admins.
const SETUP_LOCK_KEY = 7_411_995;

/**
 * The first admin without the CLI: while no admin Agent exists, the server prints a link with
 * a random token (kept only as its SHA-256, in the database, so any node accepts it); the
 * link's form creates the first admin, after which every link is used up and setup is gone.
 */
export class FirstRunSetup {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #publicUrl: URL;

  constructor(deps: { db: Database; people: PeopleDirectory; audit: AuditLog; clock: Clock; publicUrl: URL }) {
    this.#db = deps.db;
    this.#people = deps.people;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#publicUrl = deps.publicUrl;
  }

  async adminExists(q: { query: Database['query'] } = this.#db): Promise<boolean> {
    const rows = await q.query("SELECT 1 FROM people WHERE audience = 'agents' AND is_admin LIMIT 1");
    return rows.length > 0;
  }

  /** A fresh setup link when no admin exists yet; null once one does. */
  async issueLinkIfNoAdmin(): Promise<URL | null> {
    if (await this.adminExists()) return null;
    const token = newToken();
    const now = this.#clock.now();
    await this.#db.query('INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)', [
      hashToken(token), now, new Date(now.getTime() + SETUP_LINK_LIFETIME_MS),
    ]);
    const link = new URL('/setup', this.#publicUrl);
    link.searchParams.set('token', token);
    return link;
  }

  /** Throws unless `token` opens setup now: `setup.complete` once an admin exists, else `setup.token_invalid`. */
  async check(token: unknown): Promise<void> {
    if (await this.adminExists()) throw complete();
    if (typeof token !== 'string' || !token) throw invalid();
    const rows = await this.#db.query('SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2', [hashToken(token), this.#clock.now()]);
    if (rows.length === 0) throw invalid();
  }

  /** Creates the first admin and uses up every setup link, in one transaction: a refusal changes nothing. */
  async createFirstAdmin(token: unknown, input: { name: string; email: string; password: string; ip?: string | undefined }): Promise<Person> {
    return this.#db.transaction(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_KEY]);
      if (await this.adminExists(q)) throw complete();
      if (typeof token !== 'string' || !token) throw invalid();
      const now = this.#clock.now();
      const used = await q.query('UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING 1', [hashToken(token), now]);
      if (used.length === 0) throw invalid();
      // Name, email and password rules as everywhere (people.create checks them, before any write).
      const person = await this.#people.create({ audience: 'agents', name: input.name, email: input.email, password: input.password, isAdmin: true, emailVerified: false }, q);
      await q.query('UPDATE setup_tokens SET used_at = $1 WHERE used_at IS NULL', [now]);
      await this.#audit.record({
        action: 'person.created', outcome: 'success', audience: 'agents', actor: { type: 'anonymous' },
        target: { type: 'person', id: person.id }, ip: input.ip, details: { isAdmin: true, firstRunSetup: true },
      }, q);
      return person;
    });
  }
}

const complete = () => new FrontdoorError('setup.complete', 'Setup is done: an admin exists. Sign in at /admin.');
const invalid = () => new FrontdoorError('setup.token_invalid', 'This setup link is not valid. Use the link the server printed when it started (restart it for a new one).');
