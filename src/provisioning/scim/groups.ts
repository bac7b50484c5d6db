import type { AuditLog } from '../../core/audit.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { PeopleDirectory } from '../../core/people.ts';
import type { Usergroups } from '../../core/usergroups.ts';
import type { Database, Queryable } from '../../storage/database.ts';
import { isUniqueViolation } from '../../storage/database.ts';
import type { ScimConnection } from './connections.ts';
import { parseScimFilter, type ScimLookup } from './filter.ts';
import { ScimResourceStore, type FieldOptions } from './resource-store.ts';
import { auditScimChange, listResponse, metaOf, notFound, pageOf, project, requireUuid, type ListQuery } from './resources.ts';
import { canonicalResource, GROUP_SCHEMA, type Resource } from './schemas.ts';

// SCIM Groups (RFC 7643 section 4.2) as usergroups (SCIM id = usergroup id), so for Users
// connections only: usergroups are Users-only in the schema itself. Members follow the
// identity service, removals included; a member must be a User this connection provisioned.
// A usergroup an admin made is never taken over: a displayName taken is a 409 uniqueness.

type GroupRow = { usergroup_id: string; name: string; external_id: string | null; version: number; created_at: Date; updated_at: Date };
type GroupFields = { displayName: string; externalId: string | null; members: string[] };

export type ScimGroupDeps = { db: Database; usergroups: Usergroups; people: PeopleDirectory; audit: AuditLog; baseUrl: string };

export class ScimGroups extends ScimResourceStore<GroupRow, GroupFields> {
  protected readonly kind = 'Group';
  protected readonly db: Database;
  readonly #deps: ScimGroupDeps;
  constructor(deps: ScimGroupDeps) {
    super();
    this.#deps = deps;
    this.db = deps.db;
  }

  async list(connection: ScimConnection, query: ListQuery): Promise<Resource> {
    const lookup = parseScimFilter('Group', query.filter);
    const page = pageOf(query);
    const { where, params } = groupWhere(connection, lookup);
    const { db } = this.#deps;
    const [total] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM scim_groups sg JOIN usergroups g ON g.id = sg.usergroup_id ${where}`, params);
    const rows = page.limit === 0 ? [] : await db.query<GroupRow>(
      `${GROUP_SELECT} ${where} ORDER BY sg.created_at, sg.usergroup_id OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, page.offset, page.limit],
    );
    return listResponse(total!.n, page.startIndex, await Promise.all(rows.map((row) => this.#resource(db, row, query))));
  }

  async get(connection: ScimConnection, id: string, query: ListQuery = {}): Promise<Resource> {
    const { db } = this.#deps;
    return this.#resource(db, await this.row(db, connection, id), query);
  }

  async create(connection: ScimConnection, body: unknown): Promise<Resource> {
    const fields = groupFields(body, { requireSchemas: true });
    const { usergroups, audit } = this.#deps;
    const id = await this.write(async (tx) => {
      await refuseStrangers(tx, connection, fields.members);
      const group = await usergroups.create(fields.displayName, tx);
      await tx.query('INSERT INTO scim_groups (usergroup_id, connection_id, external_id) VALUES ($1, $2, $3)', [group.id, connection.id, fields.externalId]);
      await usergroups.addMembers(group.id, fields.members, tx);
      await auditScimChange(audit, tx, connection, {
        action: 'scim.group_created', targetType: 'usergroup', targetId: group.id, details: { displayName: fields.displayName, membersAdded: fields.members.length },
      });
      return group.id;
    });
    return this.get(connection, id);
  }

  protected fieldsOf(body: unknown, options: FieldOptions): GroupFields {
    return groupFields(body, options);
  }

  protected async patchable(tx: Queryable, row: GroupRow): Promise<Resource> {
    return writableResource(row, await this.#deps.usergroups.memberIds(row.usergroup_id, tx));
  }

  protected async removeRow(tx: Queryable, connection: ScimConnection, row: GroupRow): Promise<void> {
    // Its SCIM row and memberships go with it (ON DELETE CASCADE); articles stop granting it.
    await this.#deps.usergroups.remove(row.usergroup_id, tx);
    await auditScimChange(this.#deps.audit, tx, connection, { action: 'scim.group_removed', targetType: 'usergroup', targetId: row.usergroup_id, details: { displayName: row.name } });
  }

  /** PUT and PATCH end here: the name, the members as the identity service lists them (removals too), the audit row. */
  protected async store(tx: Queryable, connection: ScimConnection, row: GroupRow, fields: GroupFields): Promise<void> {
    const { usergroups, audit } = this.#deps;
    await refuseStrangers(tx, connection, fields.members);
    if (fields.displayName !== row.name) await usergroups.rename(row.usergroup_id, fields.displayName, tx);
    const before = new Set(await usergroups.memberIds(row.usergroup_id, tx));
    const after = new Set(fields.members);
    const added = [...after].filter((m) => !before.has(m));
    const removed = [...before].filter((m) => !after.has(m));
    await usergroups.addMembers(row.usergroup_id, added, tx);
    await usergroups.removeMembers(row.usergroup_id, removed, tx);
    await tx.query('UPDATE scim_groups SET external_id = $2, version = version + 1, updated_at = now() WHERE usergroup_id = $1', [row.usergroup_id, fields.externalId]);
    await auditScimChange(audit, tx, connection, {
      action: 'scim.group_updated', targetType: 'usergroup', targetId: row.usergroup_id,
      details: { displayName: fields.displayName, membersAdded: added.length, membersRemoved: removed.length },
    });
  }

  protected refusalOf(error: unknown): unknown {
    return isUniqueViolation(error, 'scim_groups_external_id') ? new FrontdoorError('scim.uniqueness', 'Another Group of this connection has that externalId.') : error;
  }

  protected afterWrite(): void {
    // Membership is part of what a session check caches about a person.
    this.#deps.people.changes.notify();
  }

  protected async row(q: Queryable, connection: ScimConnection, id: string, forUpdate = false): Promise<GroupRow> {
    const [row] = await q.query<GroupRow>(
      `${GROUP_SELECT} WHERE sg.connection_id = $1 AND sg.usergroup_id = $2${forUpdate ? ' FOR UPDATE OF sg' : ''}`,
      [connection.id, requireUuid('Group', id)],
    );
    if (!row) throw notFound('Group', id);
    return row;
  }

  async #resource(q: Queryable, row: GroupRow, query: ListQuery): Promise<Resource> {
    const excluded = project({ members: true }, query).members === undefined;
    const members = excluded ? [] : await q.query<{ id: string; name: string }>(
      `SELECT p.id, p.name FROM person_usergroups pu JOIN people p ON p.id = pu.person_id WHERE pu.usergroup_id = $1 ORDER BY p.id`,
      [row.usergroup_id],
    );
    return project({
      schemas: [GROUP_SCHEMA],
      id: row.usergroup_id,
      ...(row.external_id === null ? {} : { externalId: row.external_id }),
      displayName: row.name,
      members: members.map((m) => ({ value: m.id, display: m.name, $ref: `${this.#deps.baseUrl}/Users/${m.id}` })),
      meta: metaOf('Group', `${this.#deps.baseUrl}/Groups/${row.usergroup_id}`, row),
    }, query);
  }
}

const GROUP_SELECT = `SELECT sg.usergroup_id, g.name, sg.external_id, sg.version, sg.created_at, sg.updated_at
  FROM scim_groups sg JOIN usergroups g ON g.id = sg.usergroup_id`;

function groupWhere(connection: ScimConnection, lookup: ScimLookup | undefined): { where: string; params: unknown[] } {
  const params: unknown[] = [connection.id];
  if (!lookup) return { where: 'WHERE sg.connection_id = $1', params };
  params.push(lookup.value);
  switch (lookup.by) {
    case 'displayName': return { where: 'WHERE sg.connection_id = $1 AND lower(g.name) = lower($2)', params };
    case 'externalId': return { where: 'WHERE sg.connection_id = $1 AND sg.external_id = $2', params };
    default: {
      const member = 'member' in lookup && lookup.member !== undefined;
      if (member) params.push(lookup.member);
      return {
        where: `WHERE sg.connection_id = $1 AND sg.usergroup_id::text = lower($2)${member ? ' AND EXISTS (SELECT 1 FROM person_usergroups pu WHERE pu.usergroup_id = sg.usergroup_id AND pu.person_id::text = lower($3))' : ''}`,
        params,
      };
    }
  }
}

function writableResource(row: GroupRow, members: string[]): Resource {
  return {
    schemas: [GROUP_SCHEMA], displayName: row.name,
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    members: members.map((value) => ({ value })),
  };
}

function groupFields(body: unknown, options: FieldOptions): GroupFields {
  const resource = canonicalResource('Group', body, options);
  if (options.requireSchemas && !resource.schemas) throw new FrontdoorError('scim.invalid_syntax', `A Group must name the schema ${GROUP_SCHEMA}.`);
  const displayName = typeof resource.displayName === 'string' ? resource.displayName.trim() : '';
  if (!displayName || displayName.length > 100) throw new FrontdoorError('scim.invalid_value', 'displayName is required, at most 100 characters.');
  const members = ((resource.members ?? []) as { value?: unknown }[]).map((m, i) => {
    if (typeof m.value !== 'string') throw new FrontdoorError('scim.invalid_value', `members[${i}].value is required.`);
    return m.value.toLowerCase();
  });
  return { displayName, externalId: typeof resource.externalId === 'string' && resource.externalId !== '' ? resource.externalId : null, members: [...new Set(members)] };
}

/** Members must be Users this connection provisioned: a group push cannot pull in anyone else. */
async function refuseStrangers(q: Queryable, connection: ScimConnection, members: string[]): Promise<void> {
  if (members.length === 0) return;
  const valid = members.filter((m) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(m));
  const known = valid.length === 0 ? [] : await q.query<{ person_id: string }>(
    'SELECT person_id FROM scim_users WHERE connection_id = $1 AND person_id = ANY($2::uuid[])',
    [connection.id, valid],
  );
  if (known.length !== members.length) {
    const knownIds = new Set(known.map((k) => k.person_id));
    const stranger = members.find((m) => !knownIds.has(m));
    throw new FrontdoorError('scim.invalid_value', `The member ${stranger} is not a User of this connection.`);
  }
}
