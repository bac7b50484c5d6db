import type { Database } from '../../storage/database.ts';
import type { Actor, AuditLog } from '../audit.ts';
import { FrontdoorError } from '../errors.ts';
import { languageOf } from '../languages.ts';
import type { Emails } from '../mail-templates/emails.ts';
import { primaryEmail, type PeopleDirectory, type Person } from '../people.ts';
import { publicLink } from './public-link.ts';

/** Agent approval of new Users (registration mode agent_approval): who waits, approve, reject. */
export class Approvals {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #audit: AuditLog;
  readonly #mail: Emails;
  readonly #publicUrl: URL;

  constructor(deps: { db: Database; people: PeopleDirectory; audit: AuditLog; mail: Emails; publicUrl: URL }) {
    this.#db = deps.db;
    this.#people = deps.people;
    this.#audit = deps.audit;
    this.#mail = deps.mail;
    this.#publicUrl = deps.publicUrl;
  }

  async pendingApproval(): Promise<Person[]> {
    const rows = await this.#db.query<{ id: string }>(
      "SELECT id FROM people WHERE audience = 'users' AND approval_pending_since IS NOT NULL ORDER BY approval_pending_since, id",
    );
    const people: Person[] = [];
    for (const row of rows) people.push((await this.#people.get(row.id))!);
    return people;
  }

  async approve(personId: string, actor: Actor): Promise<Person> {
    const rows = await this.#db.query(
      "UPDATE people SET approval_pending_since = NULL, updated_at = now() WHERE id = $1 AND audience = 'users' AND approval_pending_since IS NOT NULL RETURNING id",
      [personId],
    );
    if (rows.length === 0) await this.#refuseNotPending(personId);
    const person = (await this.#people.get(personId))!;
    await this.#audit.record({ action: 'registration.approved', outcome: 'success', audience: 'users', actor, target: { type: 'person', id: personId } });
    this.#mail.queue(primaryEmail(person), 'approved', languageOf(person), { name: person.name, link: publicLink(this.#publicUrl, '/login') });
    return person;
  }

  /** Nothing to approve or reject: person.not_found for an unknown User, else person.not_pending. */
  async #refuseNotPending(personId: string): Promise<never> {
    await this.#people.require(personId, 'users');
    throw new FrontdoorError('person.not_pending', 'This account is not waiting for approval.');
  }

  /** Turns a pending registration down: the account is removed. */
  async reject(personId: string, actor: Actor): Promise<void> {
    const rows = await this.#db.query(
      "DELETE FROM people WHERE id = $1 AND audience = 'users' AND approval_pending_since IS NOT NULL RETURNING id",
      [personId],
    );
    if (rows.length === 0) await this.#refuseNotPending(personId);
    await this.#audit.record({ action: 'registration.rejected', outcome: 'success', audience: 'users', actor, target: { type: 'person', id: personId } });
  }
}
