import type { Audience } from '../../core/audience.ts';
import type { AuditLog } from '../../core/audit.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Queryable } from '../../storage/database.ts';
import type { ScimConnection } from './connections.ts';
import { LIST_RESPONSE_SCHEMA, type Resource, type ResourceKind } from './schemas.ts';

// What Users and Groups share: versions as ETags, If-Match, paging, the list answer, the
// audit row of a change, and the attributes/excludedAttributes projection.

/** meta.version and the ETag header (RFC 7644 section 3.14): weak, from a counter every write adds one to. */
export const etagOf = (version: number) => `W/"${version}"`;

/** A PUT, PATCH or DELETE with If-Match for another version changes nothing: 412 (RFC 7644 section 3.14). */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const wanted = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!wanted.includes(`"${version}"`)) {
    throw new FrontdoorError('scim.precondition_failed', `The resource is at version ${etagOf(version)}, not ${ifMatch.trim()}.`);
  }
}

export function metaOf(kind: ResourceKind, location: string, row: { created_at: Date; updated_at: Date; version: number }) {
  return {
    resourceType: kind, created: new Date(row.created_at).toISOString(), lastModified: new Date(row.updated_at).toISOString(),
    location, version: etagOf(row.version),
  };
}

export type ListQuery = {
  filter?: string | undefined; startIndex?: number | undefined; count?: number | undefined;
  attributes?: string | undefined; excludedAttributes?: string | undefined;
};
export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

/** startIndex is 1-based, values below 1 mean 1; count is capped, 0 asks only for totalResults (RFC 7644 section 3.4.2.4). */
export function pageOf(query: ListQuery): { offset: number; limit: number; startIndex: number } {
  const startIndex = Math.max(1, Math.trunc(query.startIndex ?? 1));
  const limit = Math.min(MAX_PAGE, Math.max(0, Math.trunc(query.count ?? DEFAULT_PAGE)));
  return { offset: startIndex - 1, limit, startIndex };
}

export function listResponse(totalResults: number, startIndex: number, resources: Resource[]): Resource {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

const ALWAYS_RETURNED = new Set(['id', 'schemas', 'meta']);

/** `attributes` keeps only the named top-level attributes, `excludedAttributes` drops them (RFC 7644 section 3.4.2.5). */
export function project(resource: Resource, query: Pick<ListQuery, 'attributes' | 'excludedAttributes'>): Resource {
  const names = (list: string | undefined) => list?.split(',').map((a) => a.trim().split('.')[0]!.toLowerCase()).filter(Boolean);
  const only = names(query.attributes);
  const excluded = names(query.excludedAttributes);
  if (!only?.length && !excluded?.length) return resource;
  return Object.fromEntries(Object.entries(resource).filter(([key]) => {
    if (ALWAYS_RETURNED.has(key)) return true;
    if (only?.length) return only.includes(key.toLowerCase());
    return !excluded!.includes(key.toLowerCase());
  }));
}

/** The audit row of one SCIM change: the connection is the actor, in the same transaction as the change. */
export async function auditScimChange(
  audit: AuditLog, q: Queryable, connection: ScimConnection,
  change: { action: string; targetType: 'person' | 'usergroup'; targetId: string; details?: Record<string, unknown> },
): Promise<void> {
  await audit.record({
    action: change.action, outcome: 'success', audience: connection.audience as Audience,
    actor: { type: 'scim_connection', id: connection.id }, target: { type: change.targetType, id: change.targetId },
    details: { connection: connection.name, ...change.details },
  }, q);
}

/** A path id that is not a uuid names nothing: not found, before a query could fail on the cast. */
export function requireUuid(kind: ResourceKind, id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw notFound(kind, id);
  return id.toLowerCase();
}

export const notFound = (kind: ResourceKind, id: string) => new FrontdoorError('scim.not_found', `No ${kind} ${id} in this connection.`);
