import type { Database, Queryable } from '../../storage/database.ts';
import type { ScimConnection } from './connections.ts';
import { applyPatch, patchOperations } from './patch.ts';
import { checkIfMatch, type ListQuery } from './resources.ts';
import type { Resource, ResourceKind } from './schemas.ts';

export type FieldOptions = { requireSchemas: boolean; lenientBooleans?: boolean };

/**
 * What PUT, PATCH and DELETE do for Users and Groups alike: one transaction that locks the
 * resource's row, checks If-Match against its version, then writes. A PATCH is applied to the
 * resource as SCIM shows it and then checked like a PUT body, so it can store nothing a PUT
 * could not. Each kind says how its rows are read, checked, stored and removed.
 */
export abstract class ScimResourceStore<Row extends { version: number }, Fields> {
  protected abstract readonly kind: ResourceKind;
  protected abstract readonly db: Database;
  protected abstract row(q: Queryable, connection: ScimConnection, id: string, forUpdate?: boolean): Promise<Row>;
  protected abstract fieldsOf(body: unknown, options: FieldOptions): Fields;
  /** The resource a PATCH starts from: what the identity service may write, no id, meta or read-only attributes. */
  protected abstract patchable(tx: Queryable, row: Row): Promise<Resource>;
  protected abstract store(tx: Queryable, connection: ScimConnection, row: Row, fields: Fields): Promise<void>;
  protected abstract removeRow(tx: Queryable, connection: ScimConnection, row: Row): Promise<void>;
  /** A unique violation of this kind's own indexes as the SCIM refusal it stands for, or the error as it was. */
  protected abstract refusalOf(error: unknown): unknown;
  /** After every write, committed or not: in-process caches forget what they read meanwhile. */
  protected abstract afterWrite(): void;
  abstract get(connection: ScimConnection, id: string, query?: ListQuery): Promise<Resource>;

  async replace(connection: ScimConnection, id: string, body: unknown, ifMatch: string | undefined): Promise<Resource> {
    const fields = this.fieldsOf(body, { requireSchemas: false });
    await this.write(async (tx) => this.store(tx, connection, await this.#locked(tx, connection, id, ifMatch), fields));
    return this.get(connection, id);
  }

  async patch(connection: ScimConnection, id: string, body: unknown, ifMatch: string | undefined): Promise<Resource> {
    const operations = patchOperations(this.kind, body);
    await this.write(async (tx) => {
      const row = await this.#locked(tx, connection, id, ifMatch);
      const patched = applyPatch(await this.patchable(tx, row), operations);
      await this.store(tx, connection, row, this.fieldsOf(patched, { requireSchemas: false, lenientBooleans: true }));
    });
    return this.get(connection, id);
  }

  async remove(connection: ScimConnection, id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(async (tx) => this.removeRow(tx, connection, await this.#locked(tx, connection, id, ifMatch)));
  }

  protected async write<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      throw this.refusalOf(error);
    } finally {
      this.afterWrite();
    }
  }

  /** The row a PUT, PATCH or DELETE changes, locked until the transaction ends, at the version If-Match names. */
  async #locked(tx: Queryable, connection: ScimConnection, id: string, ifMatch: string | undefined): Promise<Row> {
    const row = await this.row(tx, connection, id, true);
    checkIfMatch(ifMatch, row.version);
    return row;
  }
}
