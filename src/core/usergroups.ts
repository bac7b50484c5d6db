import type { Database } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';
import { FrontdoorError } from './errors.ts';
import { NameSchema, parseInput } from './validation.ts';

export type Usergroup = { id: string; name: string; system: 'everyone' | 'registered' | null; memberCount: number };

export class Usergroups {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async list(): Promise<Usergroup[]> {
    const rows = await this.#db.query<{ id: string; name: string; system: Usergroup['system']; member_count: number }>(
      `SELECT g.id, g.name, g.system, (SELECT count(*)::int FROM person_usergroups pu WHERE pu.usergroup_id = g.id) AS member_count
         FROM usergroups g ORDER BY g.system NULLS LAST, lower(g.name)`,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, system: r.system, memberCount: r.member_count }));
  }

  async require(id: string): Promise<Usergroup> {
    const group = (await this.list()).find((g) => g.id === id);
    if (!group) throw new FrontdoorError('usergroup.not_found', 'No such usergroup.');
    return group;
  }

  async systemGroupId(system: 'everyone' | 'registered'): Promise<string> {
    const [row] = await this.#db.query<{ id: string }>('SELECT id FROM usergroups WHERE system = $1', [system]);
    return row!.id;
  }

  async create(name: string): Promise<Usergroup> {
    try {
      const [row] = await this.#db.query<{ id: string }>('INSERT INTO usergroups (name) VALUES ($1) RETURNING id', [
        parseInput(NameSchema.max(100), name),
      ]);
      return this.require(row!.id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new FrontdoorError('usergroup.name_taken', `A usergroup named ${name} exists.`);
      throw error;
    }
  }

  async rename(id: string, name: string): Promise<Usergroup> {
    const group = await this.require(id);
    if (group.system) throw new FrontdoorError('usergroup.system', `${group.name} is built in and cannot be renamed.`);
    try {
      await this.#db.query('UPDATE usergroups SET name = $2 WHERE id = $1', [id, parseInput(NameSchema.max(100), name)]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new FrontdoorError('usergroup.name_taken', `A usergroup named ${name} exists.`);
      throw error;
    }
    return this.require(id);
  }

  async remove(id: string): Promise<void> {
    const group = await this.require(id);
    if (group.system) throw new FrontdoorError('usergroup.system', `${group.name} is built in and cannot be removed.`);
    await this.#db.query('DELETE FROM usergroups WHERE id = $1', [id]);
  }
}
