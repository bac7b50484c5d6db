import type { Database, Queryable } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';
import { PLAN_WITH_VALUES } from '../storage/plan-hints.ts';
import { renumbered, type Statement } from '../storage/statement.ts';
import type { Audience } from './audience.ts';
import { ChangeListeners } from './change-listeners.ts';
import { isLanguage, type Language } from './languages.ts';
import { FrontdoorError } from './errors.ts';
import { hashPassword } from './credentials/password-hash.ts';
import { checkPasswordRules } from './credentials/password-rules.ts';
import { decodeCursor, KEY_PART, keysetTimestamp, pageSize, toPage, type ListPage } from './list-cursor.ts';
import { EmailSchema, NameSchema, parseInput } from './validation.ts';

/** Shorter strings have no trigram to look up: a search of them would read every person. */
export const MIN_SEARCH_LENGTH = 3;

export type PeopleFilter = {
  audience: Audience;
  /** A substring of the name or of an email, at least MIN_SEARCH_LENGTH characters. */
  query?: string | undefined;
  limit?: number | undefined;
  /** The cursor of the page before (its `next`). */
  after?: string | undefined;
};

export type PersonEmail = { email: string; primary: boolean; verified: boolean };
export type Person = {
  id: string;
  audience: Audience;
  name: string;
  isAdmin: boolean;
  disabled: boolean;
  hasPassword: boolean;
  emails: PersonEmail[];
  /** Custom usergroups (Users only); Everyone and Registered apply implicitly. */
  usergroups: { id: string; name: string }[];
  identities: { appId: string; subject: string }[];
  /** Registered while agent approval was on, and not approved yet: cannot sign in. */
  approvalPending: boolean;
  /** Registered while email validation was on, and the link not clicked yet: cannot sign in. */
  emailValidationPending: boolean;
  twoFactor: {
    /** Second factors set up: TOTP (an authenticator app) and/or email codes. */
    methods: ('totp' | 'email')[];
    /** Required for this person by an admin (besides the audience-wide policy). */
    required: boolean;
    graceUntil: string | null;
  };
  createdAt: string;
  /** Their own choice of language for pages and emails; null follows the browser, then the helpdesk default. */
  language: Language | null;
};

export type NewPerson = {
  audience: Audience;
  name: string;
  email: string;
  emailVerified?: boolean;
  password?: string | undefined;
  isAdmin?: boolean;
  usergroupIds?: string[];
  approvalPending?: boolean;
  emailValidationPending?: boolean;
  /** The admin-set minimum length (registration); other rules always apply. */
  passwordMinLength?: number;
};

export type PersonChanges = {
  name?: string;
  isAdmin?: boolean;
  disabled?: boolean;
  usergroupIds?: string[];
  /**
   * Replaces the email list; the first one flagged primary (or the first) is primary. An
   * address keeps its proof if it had one; a new one is proven only if `verified` says an
   * admin vouches for it (typing an address proves nothing about who holds it: invariant 5).
   */
  emails?: { email: string; primary?: boolean; verified?: boolean }[];
};

type PersonRow = {
  id: string; audience: Audience; name: string; is_admin: boolean; disabled_at: Date | null; password_hash: string | null; created_at: Date;
  approval_pending_since: Date | null; email_validation_pending: boolean; two_factor_required: boolean; two_factor_grace_until: Date | null;
  email_two_factor_at: Date | null; language: string | null;
};

export class PeopleDirectory {
  readonly #db: Database;
  /** Told after a person changes (disabled, removed, regrouped), so cached session checks forget them. */
  readonly changes = new ChangeListeners();
  constructor(db: Database) {
    this.#db = db;
  }

  async create(input: NewPerson, tx?: Queryable): Promise<Person> {
    if (input.isAdmin && input.audience !== 'agents') {
      throw new FrontdoorError('request.invalid', 'Only an Agent can be an admin.');
    }
    const name = parseInput(NameSchema, input.name);
    const email = parseInput(EmailSchema, input.email);
    let passwordHash: string | null = null;
    if (input.password !== undefined) {
      checkPasswordRules(input.password, input.passwordMinLength);
      passwordHash = await hashPassword(input.password);
    }
    const work = async (q: Queryable) => {
      const [row] = await q.query<{ id: string }>(
        `INSERT INTO people (audience, name, is_admin, password_hash, approval_pending_since, email_validation_pending)
         VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END, $6) RETURNING id`,
        [input.audience, name, input.isAdmin ?? false, passwordHash, input.approvalPending ?? false, input.emailValidationPending ?? false],
      );
      const id = row!.id;
      await this.#insertEmail(q, id, input.audience, email, true, input.emailVerified ?? false);
      if (input.usergroupIds?.length) await this.#setUsergroups(q, id, input.audience, input.usergroupIds);
      return id;
    };
    const id = tx ? await work(tx) : await this.#db.transaction(work);
    return (await this.get(id, tx))!;
  }

  async get(id: string, q: Queryable = this.#db): Promise<Person | undefined> {
    const rows = await q.query<FullPersonRow>(`SELECT ${FULL_PERSON} FROM people p WHERE p.id = $1`, [id]);
    return rows[0] && toPerson(rows[0]);
  }

  /**
   * A returning external sign-in: records the identity's last use and reads its person, in
   * one statement. No person when the identity is unknown or its person disabled (nothing is
   * written then). With `firstUse` (a statement returning a row only on an id's first use, the
   * replay cache's), that id is used up in the same statement, and on a reuse nothing else is
   * written: `firstUse` false, no person.
   */
  async touchIdentity(
    appId: string, subject: string, seen: { email: string | null; issuer: string }, firstUse?: Statement,
  ): Promise<{ firstUse: boolean; person: Person | undefined }> {
    const guard = firstUse ? { cte: `used AS (${renumbered(firstUse.text, 4)}),`, where: 'AND EXISTS (SELECT 1 FROM used)', select: 'EXISTS (SELECT 1 FROM used)' } : { cte: '', where: '', select: 'true' };
    const rows = await this.#db.query<FullPersonRow & { first_use: boolean }>(
      `WITH ${guard.cte} touched AS (
         UPDATE identities i SET last_used_at = now(), email = $3, issuer = $4
           FROM people alive WHERE i.app_id = $1 AND i.subject = $2 AND alive.id = i.person_id AND alive.disabled_at IS NULL ${guard.where}
         RETURNING i.person_id)
       SELECT ${guard.select} AS first_use, p.*, CASE WHEN p.id IS NULL THEN NULL ELSE person_lists(p.id) END AS lists
         FROM (SELECT 1) AS one LEFT JOIN (people p JOIN touched ON touched.person_id = p.id) ON true`,
      [appId, subject, seen.email, seen.issuer, ...(firstUse?.params ?? [])],
    );
    const row = rows[0]!;
    return { firstUse: row.first_use, person: row.id ? toPerson(row) : undefined };
  }

  async require(id: string, audience?: Audience): Promise<Person> {
    const person = await this.get(id);
    if (!person || (audience && person.audience !== audience)) {
      throw new FrontdoorError('person.not_found', 'No such person.');
    }
    return person;
  }

  /** The person and their stored password hash, for sign-in. Emails compare case-insensitively. */
  async findForSignIn(audience: Audience, email: string): Promise<{ person: Person; passwordHash: string | null } | undefined> {
    const rows = await this.#db.query<FullPersonRow>(
      `SELECT ${FULL_PERSON} FROM people p JOIN person_emails e ON e.person_id = p.id
        WHERE e.audience = $1 AND lower(e.email) = lower($2)`,
      [audience, email.trim()],
    );
    if (!rows[0]) return undefined;
    return { person: toPerson(rows[0]), passwordHash: rows[0].password_hash };
  }

  /** The first page of `page` as a plain array (callers that want a few people). */
  async list(filter: PeopleFilter): Promise<Person[]> {
    return (await this.page(filter)).items;
  }

  /**
   * One page of an audience's people, oldest first, in keyset order (see list-cursor.ts): each
   * page is one range of the (audience, created_at, id) index, and person_lists() runs only for
   * the page's rows (and the one that says whether another page follows), never for rows
   * skipped. A search (`query`, at least MIN_SEARCH_LENGTH characters) matches a substring of
   * the name or of any email, through the trigram indexes of migration 0006; each half is its
   * own ordered, limited query, so the planner can take the trigram index for a rare string or
   * walk the ordered index for a common one, and neither reads more than a page of matches.
   */
  async page(filter: PeopleFilter): Promise<ListPage<Person>> {
    const size = pageSize(filter.limit, 50, 500);
    const params: unknown[] = [filter.audience, size + 1];
    let keyset = '';
    if (filter.after) {
      const [at, id] = decodeCursor(filter.after, [KEY_PART.timestamp, KEY_PART.uuid]);
      params.push(at, id);
      keyset = 'AND (p.created_at, p.id) > ($3::timestamptz, $4::uuid)';
    }
    let rows: (FullPersonRow & { cursor_at: string })[];
    if (filter.query !== undefined) {
      const query = filter.query.trim();
      if (query.length < MIN_SEARCH_LENGTH) {
        throw new FrontdoorError('request.invalid', `The request is not valid: a search needs at least ${MIN_SEARCH_LENGTH} characters.`, {
          fields: [{ field: 'query', problem: `at least ${MIN_SEARCH_LENGTH} characters` }],
        });
      }
      params.push(`%${escapeLike(query)}%`);
      const q = `$${params.length}`;
      const narrowing = narrowAddressSearch(query, params);
      rows = await this.#db.query(
        // The page's ids as an array, then each person by primary key: joined to the matches
        // as a set, the planner may hash-join them against a scan of every person.
        `${PLAN_WITH_VALUES}SELECT ${FULL_PERSON}, ${keysetTimestamp('p.created_at')} AS cursor_at
           FROM unnest(ARRAY(SELECT found.id FROM (
             (SELECT p.id, p.created_at FROM people p
               WHERE p.audience = $1 ${keyset} AND p.name ILIKE ${q}${narrowing.name} ORDER BY p.created_at, p.id LIMIT $2)
             UNION
             (SELECT p.id, p.created_at FROM person_emails e JOIN people p ON p.id = e.person_id
               WHERE e.audience = $1 AND p.audience = $1 ${keyset} AND e.email ILIKE ${q}${narrowing.email} ORDER BY p.created_at, p.id LIMIT $2)
             ORDER BY created_at, id LIMIT $2) found)) AS page(id)
           JOIN people p ON p.id = page.id
          ORDER BY p.created_at, p.id`,
        params,
      );
    } else {
      rows = await this.#db.query(
        `SELECT ${FULL_PERSON}, ${keysetTimestamp('p.created_at')} AS cursor_at
           FROM (SELECT * FROM people p WHERE p.audience = $1 ${keyset} ORDER BY p.created_at, p.id LIMIT $2) p
          ORDER BY p.created_at, p.id`,
        params,
      );
    }
    return toPage(rows, size, toPerson, (row) => [row.cursor_at, row.id]);
  }

  /** With `tx`, the change is part of that transaction (SCIM writes its own rows beside it). */
  async update(id: string, audience: Audience, changes: PersonChanges, tx?: Queryable): Promise<Person> {
    const work = async (q: Queryable) => {
      const [row] = await q.query<PersonRow>('SELECT * FROM people WHERE id = $1 AND audience = $2 FOR UPDATE', [id, audience]);
      if (!row) throw new FrontdoorError('person.not_found', 'No such person.');
      if (changes.isAdmin !== undefined && audience !== 'agents') {
        throw new FrontdoorError('request.invalid', 'Only an Agent can be an admin.');
      }
      const losesAdmin = row.is_admin && (changes.isAdmin === false || changes.disabled === true);
      if (losesAdmin) await this.#refuseIfLastAdmin(q, id);
      await q.query(
        `UPDATE people SET name = COALESCE($2, name), is_admin = COALESCE($3, is_admin),
            disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4 THEN COALESCE(disabled_at, now()) ELSE NULL END,
            updated_at = now()
          WHERE id = $1`,
        [id, changes.name === undefined ? null : parseInput(NameSchema, changes.name), changes.isAdmin ?? null, changes.disabled ?? null],
      );
      if (changes.usergroupIds) await this.#setUsergroups(q, id, audience, changes.usergroupIds);
      if (changes.emails) {
        if (changes.emails.length === 0) throw new FrontdoorError('request.invalid', 'A person needs at least one email.');
        const verified = await q.query<{ email: string }>(
          'SELECT lower(email) AS email FROM person_emails WHERE person_id = $1 AND verified_at IS NOT NULL',
          [id],
        );
        const verifiedSet = new Set(verified.map((v) => v.email));
        await q.query('DELETE FROM person_emails WHERE person_id = $1', [id]);
        const primaryIndex = Math.max(changes.emails.findIndex((e) => e.primary), 0);
        for (const [index, entry] of changes.emails.entries()) {
          await this.#insertEmail(q, id, audience, parseInput(EmailSchema, entry.email), index === primaryIndex, verifiedSet.has(entry.email.trim().toLowerCase()) || entry.verified === true);
        }
      }
    };
    if (tx) await work(tx);
    else await this.#db.transaction(work);
    this.changes.notify();
    return (await this.get(id, tx))!;
  }

  async setPassword(id: string, password: string, q: Queryable = this.#db, minLength?: number): Promise<void> {
    checkPasswordRules(password, minLength);
    const passwordHash = await hashPassword(password);
    await this.#storePasswordHash(id, passwordHash, q);
  }

  /** Stores an already computed hash (rehash on sign-in). */
  async storePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.#storePasswordHash(id, passwordHash, this.#db);
  }

  async remove(id: string, audience: Audience, tx?: Queryable): Promise<void> {
    const work = async (q: Queryable) => {
      const [row] = await q.query<PersonRow>('SELECT * FROM people WHERE id = $1 AND audience = $2 FOR UPDATE', [id, audience]);
      if (!row) throw new FrontdoorError('person.not_found', 'No such person.');
      if (row.is_admin) await this.#refuseIfLastAdmin(q, id);
      await q.query('DELETE FROM people WHERE id = $1', [id]);
    };
    if (tx) await work(tx);
    else await this.#db.transaction(work);
    this.changes.notify();
  }

  /** Their own language (the account page, the language menu while signed in); null goes back to following the browser. */
  async setLanguage(id: string, audience: Audience, language: Language | null): Promise<void> {
    await this.#db.query('UPDATE people SET language = $3, updated_at = now() WHERE id = $1 AND audience = $2', [id, audience, language]);
    this.changes.notify();
  }

  async countAdmins(): Promise<number> {
    const [row] = await this.#db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM people WHERE audience = 'agents' AND is_admin AND disabled_at IS NULL",
    );
    return row!.n;
  }

  async #storePasswordHash(id: string, passwordHash: string, q: Queryable): Promise<void> {
    const rows = await q.query('UPDATE people SET password_hash = $2, updated_at = now() WHERE id = $1 RETURNING id', [id, passwordHash]);
    if (rows.length === 0) throw new FrontdoorError('person.not_found', 'No such person.');
  }

  // Admins can always get in (invariant 6): the last active admin cannot be demoted,
  // disabled or removed. The lock makes two admins demoting each other at once safe.
  async #refuseIfLastAdmin(q: Queryable, exceptId: string): Promise<void> {
    await q.query("SELECT 1 FROM audience_settings WHERE audience = 'agents' FOR UPDATE");
    const [row] = await q.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM people WHERE audience = 'agents' AND is_admin AND disabled_at IS NULL AND id <> $1",
      [exceptId],
    );
    if (row!.n === 0) {
      throw new FrontdoorError('person.last_admin', 'This is the last active admin; make another admin first.');
    }
  }

  async #insertEmail(q: Queryable, personId: string, audience: Audience, email: string, primary: boolean, verified: boolean) {
    try {
      await q.query(
        'INSERT INTO person_emails (person_id, audience, email, is_primary, verified_at) VALUES ($1, $2, $3, $4, $5)',
        [personId, audience, email.trim(), primary, verified ? new Date() : null],
      );
    } catch (error) {
      if (isUniqueViolation(error, 'person_emails_unique')) {
        throw new FrontdoorError('person.email_taken', `The email ${email} already belongs to someone in this audience.`);
      }
      throw error;
    }
  }

  async #setUsergroups(q: Queryable, personId: string, audience: Audience, usergroupIds: string[]) {
    if (audience !== 'users') throw new FrontdoorError('request.invalid', 'Usergroups are for Users only.');
    const unique = [...new Set(usergroupIds)];
    const found = await q.query<{ id: string }>(
      'SELECT id FROM usergroups WHERE id = ANY($1::uuid[]) AND system IS NULL',
      [unique],
    );
    if (found.length !== unique.length) {
      throw new FrontdoorError('usergroup.not_found', 'A usergroup does not exist (Everyone and Registered are implicit).');
    }
    await q.query('DELETE FROM person_usergroups WHERE person_id = $1', [personId]);
    for (const id of unique) {
      await q.query('INSERT INTO person_usergroups (person_id, usergroup_id) VALUES ($1, $2)', [personId, id]);
    }
  }
}

// A person with everything the Person type holds, in one query (each sign-in and each session
// check at a cache miss reads one): the lists come from person_lists() (migration 0005), a
// function whose plan the database keeps, ordered as shown.
const FULL_PERSON = 'p.*, person_lists(p.id) AS lists';

type FullPersonRow = PersonRow & {
  lists: { emails: PersonEmail[]; usergroups: { id: string; name: string }[]; identities: { appId: string; subject: string }[]; totp: boolean };
};

function toPerson(row: FullPersonRow): Person {
  return {
    id: row.id,
    audience: row.audience,
    name: row.name,
    isAdmin: row.is_admin,
    disabled: row.disabled_at !== null,
    hasPassword: row.password_hash !== null,
    emails: row.lists.emails,
    usergroups: row.lists.usergroups,
    identities: row.lists.identities,
    approvalPending: row.approval_pending_since !== null,
    emailValidationPending: row.email_validation_pending,
    twoFactor: {
      methods: [...(row.lists.totp ? ['totp' as const] : []), ...(row.email_two_factor_at ? ['email' as const] : [])],
      required: row.two_factor_required,
      graceUntil: row.two_factor_grace_until ? new Date(row.two_factor_grace_until).toISOString() : null,
    },
    createdAt: new Date(row.created_at).toISOString(),
    language: isLanguage(row.language) ? row.language : null,
  };
}

export function primaryEmail(person: Person): string {
  return (person.emails.find((e) => e.primary) ?? person.emails[0])!.email;
}

/**
 * Conditions a search with an `@` implies, added to its ILIKEs (never instead, so the match
 * stays exactly the substring one), each matching an index of migration 0011 that the planner,
 * given the values (PLAN_WITH_VALUES), takes when it is the narrower: a name that contains the
 * query contains an `@` (few do: a small partial index, where the name's trigram index read
 * the posting lists of `per`, `son`, ... for `person700001@`); and with at least
 * MIN_SEARCH_LENGTH characters before the `@`, an email's local part ends with them (its only
 * `@`, EmailSchema, is the query's): a prefix of the reversed local part.
 */
function narrowAddressSearch(query: string, params: unknown[]): { name: string; email: string } {
  const parts = query.split('@');
  if (parts.length < 2) return { name: '', email: '' };
  const name = " AND strpos(p.name, '@') > 0";
  if (parts.length !== 2 || parts[0]!.length < MIN_SEARCH_LENGTH) return { name, email: '' };
  // Lower-cased by the database, as the index is: one case rule for both sides.
  params.push(escapeLike([...parts[0]!].reverse().join('')));
  return { name, email: ` AND reverse(lower(split_part(e.email, '@', 1))) LIKE lower($${params.length}) || '%'` };
}

/** `value` as a literal inside a LIKE pattern: `\`, `%` and `_` stand for themselves. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
