import { parse, type Filter } from 'scim2-parse-filter';
import { FrontdoorError } from '../../core/errors.ts';
import type { ResourceKind } from './schemas.ts';

// GET ?filter= (RFC 7644 section 3.4.2.2), parsed by scim2-parse-filter, then narrowed to the
// lookups identity services make before they create or push: each one is an indexed lookup.
// Any other filter is refused with scimType invalidFilter rather than answered by reading
// every row.

export type ScimLookup =
  | { by: 'userName' | 'externalId' | 'displayName' | 'id'; value: string; member?: string | undefined }
  | { by: 'email'; value: string; emailType?: string | undefined };

const SUPPORTED: Record<ResourceKind, string> = {
  User: 'userName eq, externalId eq, id eq, emails.value eq, emails[type eq "work"].value eq',
  Group: 'displayName eq, externalId eq, id eq, and id eq … and members[value eq …]',
};

export function parseScimFilter(kind: ResourceKind, text: string | undefined): ScimLookup | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const refuse = (why: string) =>
    new FrontdoorError('scim.invalid_filter', `The filter ${why}. Frontdoor answers these ${kind} filters: ${SUPPORTED[kind]}.`);
  if (text.length > 1000) throw refuse('is longer than 1000 characters');
  let filter: Filter;
  try {
    filter = parse(text);
  } catch {
    throw refuse('cannot be parsed');
  }
  const lookup = kind === 'User' ? userLookup(filter) : groupLookup(filter);
  if (!lookup) throw refuse('is not one Frontdoor answers');
  return lookup;
}

/** `attr eq "string"`: the attribute path, lower-cased, and the value. */
function equality(filter: Filter): { path: string; value: string } | undefined {
  if (filter.op !== 'eq' || !('compValue' in filter) || typeof filter.compValue !== 'string') return undefined;
  return { path: filter.attrPath.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, ''), value: filter.compValue };
}

function userLookup(filter: Filter): ScimLookup | undefined {
  const eq = equality(filter);
  if (eq) {
    if (eq.path === 'username') return { by: 'userName', value: eq.value };
    if (eq.path === 'externalid') return { by: 'externalId', value: eq.value };
    if (eq.path === 'id') return { by: 'id', value: eq.value };
    if (eq.path === 'emails.value' || eq.path === 'emails') return { by: 'email', value: eq.value };
    return undefined;
  }
  // emails[type eq "work"].value eq "x" parses as: emails[type eq "work"] and emails.value eq "x".
  if (filter.op === 'and' && 'filters' in filter && filter.filters.length === 2) {
    const [first, second] = filter.filters;
    const value = second && equality(second);
    if (first?.op !== '[]' || !('valFilter' in first) || first.attrPath.toLowerCase() !== 'emails' || value?.path !== 'emails.value') return undefined;
    const type = equality(first.valFilter);
    if (type?.path !== 'type') return undefined;
    return { by: 'email', value: value.value, emailType: type.value };
  }
  return undefined;
}

function groupLookup(filter: Filter): ScimLookup | undefined {
  const eq = equality(filter);
  if (eq) {
    if (eq.path === 'displayname') return { by: 'displayName', value: eq.value };
    if (eq.path === 'externalid') return { by: 'externalId', value: eq.value };
    if (eq.path === 'id') return { by: 'id', value: eq.value };
    return undefined;
  }
  // Entra asks whether a user is in a group: id eq "g" and members[value eq "u"].
  if (filter.op === 'and' && 'filters' in filter && filter.filters.length === 2) {
    const [first, second] = filter.filters;
    const id = first && equality(first);
    if (id?.path !== 'id' || second?.op !== '[]' || !('valFilter' in second) || second.attrPath.toLowerCase() !== 'members') return undefined;
    const member = equality(second.valFilter);
    if (member?.path !== 'value') return undefined;
    return { by: 'id', value: id.value, member: member.value };
  }
  return undefined;
}
