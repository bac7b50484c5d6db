import type { Database } from '../storage/database.ts';
import { FrontdoorError } from './errors.ts';
import { hashToken, newToken } from './tokens.ts';
import { NameSchema, parseInput } from './validation.ts';

export type ApiKey = { id: string; name: string; createdBy: string | null; createdAt: string; lastUsedAt: string | null; revoked: boolean };

type ApiKeyRow = { id: string; name: string; created_by: string | null; created_at: Date; last_used_at: Date | null; revoked_at: Date | null };

// The prefix makes a leaked key recognisable to secret scanners.
const KEY_PREFIX = 'fdk_';

/** Admin API keys: act with admin rights, shown once at creation, stored as a hash. */
export class ApiKeys {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async create(name: string, createdBy: string | null): Promise<{ key: string; apiKey: ApiKey }> {
    const key = newToken(KEY_PREFIX);
    const [row] = await this.#db.query<ApiKeyRow>(
      'INSERT INTO api_keys (name, token_hash, created_by) VALUES ($1, $2, $3) RETURNING *',
      [parseInput(NameSchema.max(100), name), hashToken(key), createdBy],
    );
    return { key, apiKey: toApiKey(row!) };
  }

  async authenticate(key: string): Promise<ApiKey | undefined> {
    if (!key.startsWith(KEY_PREFIX) || key.length !== KEY_PREFIX.length + 43) return undefined;
    const rows = await this.#db.query<ApiKeyRow>(
      'UPDATE api_keys SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING *',
      [hashToken(key)],
    );
    return rows[0] && toApiKey(rows[0]);
  }

  async list(): Promise<ApiKey[]> {
    return (await this.#db.query<ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at')).map(toApiKey);
  }

  async revoke(id: string): Promise<void> {
    const rows = await this.#db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
    if (rows.length === 0) throw new FrontdoorError('apikey.not_found', 'No such live API key.');
  }
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    revoked: row.revoked_at !== null,
  };
}
