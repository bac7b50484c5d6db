import type { AuditLog } from '../../core/audit.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { PeopleDirectory } from '../../core/people.ts';
import type { SessionStore } from '../../core/sessions.ts';
import { EmailSchema, NameSchema } from '../../core/validation.ts';
import type { Database, Queryable } from '../../storage/database.ts';
import { isUniqueViolation } from '../../storage/database.ts';
import type { ScimConnection } from './connections.ts';
import { parseScimFilter, type ScimLookup } from './filter.ts';
import { ScimResourceStore, type FieldOptions } from './resource-store.ts';
import { auditScimChange, listResponse, metaOf, notFound, pageOf, project, requireUuid, type ListQuery } from './resources.ts';
import { canonicalResource, ENTERPRISE_USER_SCHEMA, USER_SCHEMA, type Resource } from './schemas.ts';

// SCIM Users (RFC 7643 section 4.1) as Frontdoor people of the connection's audience. A SCIM
// User is a person the connection created (SCIM id = person id); it never takes over one it
// did not (an email or userName already taken is a 409 uniqueness, not a silent link).
// Every write is one transaction: the person, the SCIM row and the audit row together.

type UserRow = {
  person_id: string; user_name: string; external_id: string | null; attributes: Resource; version: number;
  created_at: Date; updated_at: Date; disabled_at: Date | null;
};

/** What a User body says about the person behind it. */
type PersonFields = { userName: string; externalId: string | null; name: string; emails: { email: string; primary: boolean }[]; active: boolean | undefined; password: string | undefined; attributes: Resource };

export type ScimUserDeps = { db: Database; people: PeopleDirectory; sessions: SessionStore; audit: AuditLog; baseUrl: string };

export class ScimUsers extends ScimResourceStore<UserRow, PersonFields> {
  protected readonly kind = 'User';
  protected readonly db: Database;
  readonly #deps: ScimUserDeps;
  constructor(deps: ScimUserDeps) {
    super();
    this.#deps = deps;
    this.db = deps.db;
  }

  async list(connection: ScimConnection, query: ListQuery): Promise<Resource> {
    const lookup = parseScimFilter('User', query.filter);
    const page = pageOf(query);
    const { where, params } = userWhere(connection, lookup);
    const { db } = this.#deps;
    if (lookup?.by === 'email' && lookup.emailType !== undefined) {
      // A handful of rows at most (emails are unique per audience): the type is checked here.
      const rows = (await db.query<UserRow>(`${USER_SELECT} ${where} ORDER BY su.created_at, su.person_id`, params))
        .filter((row) => emailsOf(row.attributes).some((e) => e.value.toLowerCase() === lookup.value.toLowerCase() && e.type?.toLowerCase() === lookup.emailType!.toLowerCase()));
      const shown = rows.slice(page.offset, page.offset + page.limit);
      return listResponse(rows.length, page.startIndex, await this.#resources(connection, shown, query));
    }
    const [total] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM scim_users su ${where}`, params);
    const rows = page.limit === 0 ? [] : await db.query<UserRow>(
      `${USER_SELECT} ${where} ORDER BY su.created_at, su.person_id OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, page.offset, page.limit],
    );
    return listResponse(total!.n, page.startIndex, await this.#resources(connection, rows, query));
  }

  async get(connection: ScimConnection, id: string, query: ListQuery = {}): Promise<Resource> {
    const row = await this.row(this.#deps.db, connection, id);
    return (await this.#resources(connection, [row], query))[0]!;
  }

  async create(connection: ScimConnection, body: unknown): Promise<Resource> {
    const fields = userFields(body, { requireSchemas: true });
    const { db, people, audit } = this.#deps;
    const id = await this.write(async (tx) => {
      await refuseTaken(tx, connection, fields);
      // Never an admin through SCIM; the IdP vouches for the email it provisions (docs/SCIM.md).
      const [first, ...more] = fields.emails;
      const person = await people.create(
        { audience: connection.audience, name: fields.name, email: first!.email, emailVerified: true, password: fields.password, isAdmin: false },
        tx,
      );
      if (more.length || fields.active === false) {
        await people.update(person.id, connection.audience, { ...(more.length ? { emails: fields.emails } : {}), ...(fields.active === false ? { disabled: true } : {}) }, tx);
      }
      await tx.query(
        'INSERT INTO scim_users (person_id, audience, connection_id, user_name, external_id, attributes) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
        [person.id, connection.audience, connection.id, fields.userName, fields.externalId, JSON.stringify(fields.attributes)],
      );
      await auditScimChange(audit, tx, connection, { action: 'scim.user_created', targetType: 'person', targetId: person.id, details: { userName: fields.userName, active: fields.active !== false } });
      return person.id;
    });
    return this.get(connection, id);
  }

  protected fieldsOf(body: unknown, options: FieldOptions): PersonFields {
    return userFields(body, options);
  }

  protected async patchable(_tx: Queryable, row: UserRow): Promise<Resource> {
    return writableResource(row);
  }

  protected async removeRow(tx: Queryable, connection: ScimConnection, row: UserRow): Promise<void> {
    // Sessions, identities and usergroup memberships go with the person (ON DELETE CASCADE).
    await this.#deps.people.remove(row.person_id, connection.audience, tx);
    await auditScimChange(this.#deps.audit, tx, connection, { action: 'scim.user_removed', targetType: 'person', targetId: row.person_id, details: { userName: row.user_name } });
  }

  /** PUT and PATCH end here: the person, the SCIM row, sessions ended on deactivation, the audit row. */
  protected async store(tx: Queryable, connection: ScimConnection, row: UserRow, fields: PersonFields): Promise<void> {
    const { people, sessions, audit } = this.#deps;
    await refuseTaken(tx, connection, fields, row.person_id);
    const deactivated = fields.active === false && row.disabled_at === null;
    await people.update(row.person_id, connection.audience, {
      name: fields.name, emails: fields.emails, ...(fields.active === undefined ? {} : { disabled: !fields.active }),
    }, tx);
    if (fields.password !== undefined) await people.setPassword(row.person_id, fields.password, tx);
    // active:false ends every session at once, in the same transaction (issue 19).
    const ended = deactivated ? await sessions.revokeAllFor(row.person_id, `deactivated by SCIM connection ${connection.name}`, undefined, tx) : 0;
    await tx.query(
      `UPDATE scim_users SET user_name = $2, external_id = $3, attributes = $4::jsonb, version = version + 1, updated_at = now() WHERE person_id = $1`,
      [row.person_id, fields.userName, fields.externalId, JSON.stringify(fields.attributes)],
    );
    const action = deactivated ? 'scim.user_deactivated' : fields.active === true && row.disabled_at !== null ? 'scim.user_reactivated' : 'scim.user_updated';
    await auditScimChange(audit, tx, connection, { action, targetType: 'person', targetId: row.person_id, details: { userName: fields.userName, ...(deactivated ? { sessionsEnded: ended } : {}) } });
  }

  protected refusalOf(error: unknown): unknown {
    return isUniqueViolation(error, 'scim_users_user_name') || isUniqueViolation(error, 'scim_users_external_id')
      ? new FrontdoorError('scim.uniqueness', 'Another User of this connection has that userName or externalId.')
      : error;
  }

  protected afterWrite(): void {
    // Also after the commit: a session check that read the person mid-transaction forgets it.
    this.#deps.people.changes.notify();
    this.#deps.sessions.changes.notify();
  }

  protected async row(q: Queryable, connection: ScimConnection, id: string, forUpdate = false): Promise<UserRow> {
    const [row] = await q.query<UserRow>(
      `${USER_SELECT} WHERE su.connection_id = $1 AND su.person_id = $2${forUpdate ? ' FOR UPDATE OF su' : ''}`,
      [connection.id, requireUuid('User', id)],
    );
    if (!row) throw notFound('User', id);
    return row;
  }

  async #resources(connection: ScimConnection, rows: UserRow[], query: ListQuery): Promise<Resource[]> {
    const groups = rows.length === 0 ? [] : await this.#deps.db.query<{ person_id: string; id: string; name: string }>(
      `SELECT pu.person_id, g.id, g.name FROM person_usergroups pu
         JOIN scim_groups sg ON sg.usergroup_id = pu.usergroup_id AND sg.connection_id = $1
         JOIN usergroups g ON g.id = pu.usergroup_id
        WHERE pu.person_id = ANY($2::uuid[]) ORDER BY lower(g.name)`,
      [connection.id, rows.map((r) => r.person_id)],
    );
    return rows.map((row) => project({
      ...writableResource(row),
      id: row.person_id,
      groups: groups.filter((g) => g.person_id === row.person_id).map((g) => ({ value: g.id, display: g.name, $ref: `${this.#deps.baseUrl}/Groups/${g.id}` })),
      meta: metaOf('User', `${this.#deps.baseUrl}/Users/${row.person_id}`, row),
    }, query));
  }
}

const USER_SELECT = `SELECT su.person_id, su.user_name, su.external_id, su.attributes, su.version, su.created_at, su.updated_at, p.disabled_at
  FROM scim_users su JOIN people p ON p.id = su.person_id`;

function userWhere(connection: ScimConnection, lookup: ScimLookup | undefined): { where: string; params: unknown[] } {
  const params: unknown[] = [connection.id];
  if (!lookup) return { where: 'WHERE su.connection_id = $1', params };
  params.push(lookup.value);
  switch (lookup.by) {
    case 'userName': return { where: 'WHERE su.connection_id = $1 AND lower(su.user_name) = lower($2)', params };
    case 'externalId': return { where: 'WHERE su.connection_id = $1 AND su.external_id = $2', params };
    case 'email':
      return { where: `WHERE su.connection_id = $1 AND su.person_id IN (SELECT e.person_id FROM person_emails e WHERE e.audience = $3 AND lower(e.email) = lower($2))`, params: [...params, connection.audience] };
    default:
      // An id that is not a uuid matches nothing (and must not reach the uuid cast).
      return { where: 'WHERE su.connection_id = $1 AND su.person_id::text = lower($2)', params };
  }
}

/** The resource as SCIM shows it, without what the server sets (id, groups, meta). */
function writableResource(row: UserRow): Resource {
  return {
    ...row.attributes,
    // The extension's URN is listed when its attributes are there (RFC 7643 section 3), however they came.
    schemas: ENTERPRISE_USER_SCHEMA in row.attributes ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
    userName: row.user_name,
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    active: row.disabled_at === null,
  };
}

function emailsOf(attributes: Resource): { value: string; type?: string | undefined; primary?: boolean | undefined }[] {
  return Array.isArray(attributes.emails) ? (attributes.emails as { value?: unknown; type?: unknown; primary?: unknown }[])
    .filter((e) => typeof e.value === 'string')
    .map((e) => ({ value: e.value as string, type: typeof e.type === 'string' ? e.type : undefined, primary: e.primary === true })) : [];
}

function userFields(body: unknown, options: FieldOptions): PersonFields {
  const resource = canonicalResource('User', body, options);
  if (options.requireSchemas && !resource.schemas) throw new FrontdoorError('scim.invalid_syntax', `A User must name the schema ${USER_SCHEMA}.`);
  const userName = typeof resource.userName === 'string' ? resource.userName.trim() : '';
  if (!userName) throw new FrontdoorError('scim.invalid_value', 'userName is required.');
  if (userName.length > 254) throw new FrontdoorError('scim.invalid_value', 'userName is longer than 254 characters.');
  const sent = emailsOf(resource);
  // No emails, but a userName that is one (Okta's default): that is the person's email.
  const listed = sent.length ? sent : EmailSchema.safeParse(userName).success ? [{ value: userName, primary: true, type: undefined }] : [];
  if (!listed.length) throw new FrontdoorError('scim.invalid_value', 'A User needs an email: send emails, or a userName that is an email address.');
  const seen = new Set<string>();
  const emails = listed.filter((e) => !seen.has(e.value.toLowerCase()) && seen.add(e.value.toLowerCase())).map((e) => {
    const checked = EmailSchema.safeParse(e.value);
    if (!checked.success) throw new FrontdoorError('scim.invalid_value', `${e.value} is not an email address.`);
    return { email: checked.data, primary: e.primary === true };
  });
  const primaryIndex = Math.max(emails.findIndex((e) => e.primary), 0);
  // The primary email first: people.create takes one, and people.update keeps the flag.
  const ordered = [emails[primaryIndex]!, ...emails.filter((_, i) => i !== primaryIndex)].map((e, i) => ({ email: e.email, primary: i === 0 }));
  const name = resource.name as { formatted?: string; givenName?: string; familyName?: string } | undefined;
  const displayName = [resource.displayName, name?.formatted, [name?.givenName, name?.familyName].filter(Boolean).join(' '), userName]
    .find((n): n is string => typeof n === 'string' && n.trim() !== '')!;
  const { password, userName: _userName, externalId, active, ...attributes } = resource;
  return {
    userName,
    externalId: typeof externalId === 'string' && externalId !== '' ? externalId : null,
    name: checkedName(displayName),
    emails: ordered,
    active: typeof active === 'boolean' ? active : undefined,
    password: typeof password === 'string' ? password : undefined,
    attributes,
  };
}

async function refuseTaken(q: Queryable, connection: ScimConnection, fields: PersonFields, exceptId?: string): Promise<void> {
  const rows = await q.query<{ email: string }>(
    `SELECT e.email FROM person_emails e WHERE e.audience = $1 AND lower(e.email) = ANY($2::text[]) AND ($3::uuid IS NULL OR e.person_id <> $3)`,
    [connection.audience, fields.emails.map((e) => e.email.toLowerCase()), exceptId ?? null],
  );
  if (rows[0]) {
    throw new FrontdoorError('scim.uniqueness', `The email ${rows[0].email} belongs to another ${connection.audience === 'agents' ? 'Agent' : 'User'}; SCIM does not take over an existing account.`);
  }
}

function checkedName(name: string): string {
  const checked = NameSchema.safeParse(name.trim().slice(0, 200));
  if (!checked.success) throw new FrontdoorError('scim.invalid_value', 'The name (displayName, name or userName) has characters a name cannot hold.');
  return checked.data;
}
