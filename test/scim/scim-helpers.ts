import assert from 'node:assert/strict';
import type { Audience } from '../../src/core/audience.ts';
import { scimProvisioning } from '../../src/provisioning/scim/service.ts';
import type { Queryable } from '../../src/storage/database.ts';
import type { TestResponse, TestServer } from '../helpers/server.ts';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type Scim = {
  token: string;
  connectionId: string;
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
};

/** A SCIM connection on the server and a client that speaks to /scim/v2 with its token, as an identity service does. */
export async function scimConnection(server: TestServer, audience: Audience, name = `${audience} IdP`): Promise<Scim> {
  const { token, connection } = await scimProvisioning(server.services).connections.create({ audience, name }, null);
  return {
    token,
    connectionId: connection.id,
    send: (method, path, body, headers = {}) => server.client().request(method, `/scim/v2${path}`, {
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
    }),
  };
}

/** A refusal in the SCIM error schema (RFC 7644 section 3.12), with our code. */
export function assertScimError(response: TestResponse, status: number, scimType: string | undefined, code: string): void {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(response.json.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  assert.equal(response.json.status, String(status));
  assert.equal(response.json.scimType, scimType);
  assert.equal(response.json.code, code);
  assert.equal(typeof response.json.detail, 'string');
}

/** What a refused SCIM request must leave as it was. */
export async function scimCounts(db: Queryable): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM people) AS people, (SELECT count(*)::int FROM person_emails) AS emails,
            (SELECT count(*)::int FROM scim_users) AS scim_users, (SELECT count(*)::int FROM usergroups) AS usergroups,
            (SELECT count(*)::int FROM person_usergroups) AS memberships, (SELECT coalesce(sum(version), 0)::int FROM scim_users) AS user_versions,
            (SELECT coalesce(sum(version), 0)::int FROM scim_groups) AS group_versions,
            (SELECT count(*)::int FROM people WHERE disabled_at IS NOT NULL) AS disabled,
            (SELECT count(*)::int FROM sessions WHERE revoked_at IS NULL) AS live_sessions,
            (SELECT count(*)::int FROM audit_events WHERE outcome = 'success') AS audited_changes`,
  );
  return row!;
}
