import type { Audience } from '../../core/audience.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { hashToken, newToken } from '../../core/tokens.ts';
import { NameSchema, parseInput } from '../../core/validation.ts';
import type { Database } from '../../storage/database.ts';

export type ScimConnection = {
  id: string; audience: Audience; name: string; createdBy: string | null; createdAt: string; lastUsedAt: string | null; revoked: boolean;
};
export type ScimRequestRecord = { at: string; method: string; path: string; status: number; code: string | null };

type ConnectionRow = {
  id: string; audience: Audience; name: string; created_by: string | null; created_at: Date; last_used_at: Date | null; revoked_at: Date | null;
};

// The prefix makes a leaked token recognisable to secret scanners, as the API keys' does.
const TOKEN_PREFIX = 'fdscim_';
/** last_used_at is written at most this often, not on each of a bulk's thousands of requests. */
const LAST_USED_RESOLUTION = "interval '1 minute'";
/** Requests kept per connection for the console. */
const REQUESTS_KEPT = 200;

/** SCIM connections: one identity service provisioning one audience, with a bearer token shown once and kept as a hash. */
export class ScimConnections {
  readonly #db: Database;
  #writes = 0;
  constructor(db: Database) {
    this.#db = db;
  }

  async create(input: { audience: Audience; name: string }, createdBy: string | null): Promise<{ token: string; connection: ScimConnection }> {
    const token = newToken(TOKEN_PREFIX);
    const [row] = await this.#db.query<ConnectionRow>(
      'INSERT INTO scim_connections (audience, name, token_hash, created_by) VALUES ($1, $2, $3, $4) RETURNING *',
      [input.audience, parseInput(NameSchema.max(100), input.name), hashToken(token), createdBy],
    );
    return { token, connection: toConnection(row!) };
  }

  /** The live connection of a bearer token, or undefined (unknown, malformed or revoked). */
  async authenticate(token: string): Promise<ScimConnection | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length !== TOKEN_PREFIX.length + 43) return undefined;
    const [row] = await this.#db.query<ConnectionRow & { stale: boolean }>(
      `SELECT *, (last_used_at IS NULL OR last_used_at < now() - ${LAST_USED_RESOLUTION}) AS stale
         FROM scim_connections WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hashToken(token)],
    );
    if (!row) return undefined;
    if (row.stale) await this.#db.query('UPDATE scim_connections SET last_used_at = now() WHERE id = $1', [row.id]);
    return toConnection({ ...row, last_used_at: row.stale ? new Date() : row.last_used_at });
  }

  async list(): Promise<ScimConnection[]> {
    return (await this.#db.query<ConnectionRow>('SELECT * FROM scim_connections ORDER BY created_at, id')).map(toConnection);
  }

  async require(id: string): Promise<ScimConnection> {
    const [row] = await this.#db.query<ConnectionRow>('SELECT * FROM scim_connections WHERE id = $1', [id]);
    if (!row) throw new FrontdoorError('scim_connection.not_found', 'No such SCIM connection.');
    return toConnection(row);
  }

  /** Revoking is at once and for good: the next request with its token is refused. */
  async revoke(id: string): Promise<void> {
    const rows = await this.#db.query('UPDATE scim_connections SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
    if (rows.length === 0) throw new FrontdoorError('scim_connection.not_found', 'No such live SCIM connection.');
  }

  async recordRequest(connectionId: string, request: Omit<ScimRequestRecord, 'at'>): Promise<void> {
    await this.#db.query('INSERT INTO scim_requests (connection_id, method, path, status, code) VALUES ($1, $2, $3, $4, $5)', [
      connectionId, request.method, request.path.slice(0, 500), request.status, request.code,
    ]);
    // Now and then, not on every request: forget all but the last REQUESTS_KEPT of this connection.
    if (++this.#writes % 50 === 0) {
      await this.#db.query(
        `DELETE FROM scim_requests WHERE connection_id = $1
            AND id < (SELECT id FROM scim_requests WHERE connection_id = $1 ORDER BY id DESC OFFSET ${REQUESTS_KEPT - 1} LIMIT 1)`,
        [connectionId],
      );
    }
  }

  /** The connection's last requests, newest first. */
  async lastRequests(connectionId: string, limit = 20): Promise<ScimRequestRecord[]> {
    const rows = await this.#db.query<{ at: Date; method: string; path: string; status: number; code: string | null }>(
      'SELECT at, method, path, status, code FROM scim_requests WHERE connection_id = $1 ORDER BY id DESC LIMIT $2',
      [connectionId, Math.min(Math.max(limit, 1), REQUESTS_KEPT)],
    );
    return rows.map((r) => ({ at: new Date(r.at).toISOString(), method: r.method, path: r.path, status: r.status, code: r.code }));
  }
}

function toConnection(row: ConnectionRow): ScimConnection {
  return {
    id: row.id,
    audience: row.audience,
    name: row.name,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    revoked: row.revoked_at !== null,
  };
}
