import type { Database, Queryable } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';
import { FrontdoorError } from './errors.ts';
import { NameSchema, parseInput } from './validation.ts';

export type Usergroup = { id: string; name: string; system: 'everyone' | 'registered' | null; memberCount: number };

export class Usergroups {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async list(q: Queryable = this.#db): Promise<Usergroup[]> {
    const rows = await q.query<UsergroupRow>(`SELECT ${COLUMNS} FROM usergroups g ORDER BY g.system NULLS LAST, lower(g.name)`);
    return rows.map(toUsergroup);
  }

  async require(id: string, q: Queryable = this.#db): Promise<Usergroup> {
    const [row] = await q.query<UsergroupRow>(`SELECT ${COLUMNS} FROM usergroups g WHERE g.id = $1`, [id]);
    if (!row) throw new FrontdoorError('usergroup.not_found', 'No such usergroup.');
    return toUsergroup(row);
  }

  async systemGroupId(system: 'everyone' | 'registered'): Promise<string> {
    const [row] = await this.#db.query<{ id: string }>('SELECT id FROM usergroups WHERE system = $1', [system]);
    return row!.id;
  }

  /** With `q`, part of that transaction (SCIM creates a usergroup and its own row together). */
  async create(name: string, q: Queryable = this.#db): Promise<Usergroup> {
    try {
      const [row] = await q.query<{ id: string }>('INSERT INTO usergroups (name) VALUES ($1) RETURNING id', [
        parseInput(NameSchema.max(100), name),
      ]);
      return this.require(row!.id, q);
    } catch (error) {
      if (isUniqueViolation(error)) throw new FrontdoorError('usergroup.name_taken', `A usergroup named ${name} exists.`);
      throw error;
    }
  }

  async rename(id: string, name: string, q: Queryable = this.#db): Promise<Usergroup> {
    const group = await this.require(id, q);
    if (group.system) throw new FrontdoorError('usergroup.system', `${group.name} is built in and cannot be renamed.`);
    try {
      await q.query('UPDATE usergroups SET name = $2 WHERE id = $1', [id, parseInput(NameSchema.max(100), name)]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new FrontdoorError('usergroup.name_taken', `A usergroup named ${name} exists.`);
      throw error;
    }
    return this.require(id, q);
  }

  async remove(id: string, q: Queryable = this.#db): Promise<void> {
    const group = await this.require(id, q);
    if (group.system) throw new FrontdoorError('usergroup.system', `${group.name} is built in and cannot be removed.`);
    await q.query('DELETE FROM usergroups WHERE id = $1', [id]);
  }

  /** The Users in a custom group, by id. */
  async memberIds(id: string, q: Queryable = this.#db): Promise<string[]> {
    const rows = await q.query<{ person_id: string }>('SELECT person_id FROM person_usergroups WHERE usergroup_id = $1 ORDER BY person_id', [id]);
    return rows.map((r) => r.person_id);
  }

  /** Adds Users to a custom group (those already in it stay); the audience column refuses Agents. */
  async addMembers(id: string, personIds: readonly string[], q: Queryable = this.#db): Promise<void> {
    if (personIds.length === 0) return;
    await q.query(
      `INSERT INTO person_usergroups (person_id, usergroup_id) SELECT unnest($2::uuid[]), $1 ON CONFLICT DO NOTHING`,
      [id, [...new Set(personIds)]],
    );
  }

  async removeMembers(id: string, personIds: readonly string[], q: Queryable = this.#db): Promise<void> {
    if (personIds.length === 0) return;
    await q.query('DELETE FROM person_usergroups WHERE usergroup_id = $1 AND person_id = ANY($2::uuid[])', [id, [...personIds]]);
  }
}

type UsergroupRow = { id: string; name: string; system: Usergroup['system']; member_count: number };
const COLUMNS = 'g.id, g.name, g.system, (SELECT count(*)::int FROM person_usergroups pu WHERE pu.usergroup_id = g.id) AS member_count';
const toUsergroup = (r: UsergroupRow): Usergroup => ({ id: r.id, name: r.name, system: r.system, memberCount: r.member_count });
