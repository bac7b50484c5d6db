import { ScimError, scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { FrontdoorError, type ErrorCode } from '../../core/errors.ts';
import { findAttribute, isObject, PATCH_OP_SCHEMA, type Resource, type ResourceKind } from './schemas.ts';

// PATCH (RFC 7644 section 3.5.2), applied by scim-patch to the resource as SCIM shows it; the
// result is then checked like a PUT body, so a PATCH can store nothing a PUT could not.
// Before that, the shapes Okta and Entra really send are brought to the RFC's: Entra writes
// `Replace`/`Add`/`Remove` capitalised and booleans as "True"/"False" (its documented
// deviations); both send path-less `replace` with an object of attributes.

const OPS = new Set(['add', 'replace', 'remove']);
const MAX_OPERATIONS = 1000;

export function patchOperations(kind: ResourceKind, body: unknown): ScimPatchOperation[] {
  if (!isObject(body)) throw new FrontdoorError('scim.invalid_syntax', 'A PATCH body must be a JSON object.');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw new FrontdoorError('scim.invalid_syntax', `A PATCH body must name the schema ${PATCH_OP_SCHEMA}.`);
  }
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const operations = key ? body[key] : undefined;
  if (!Array.isArray(operations) || operations.length === 0) throw new FrontdoorError('scim.invalid_syntax', 'A PATCH body needs a non-empty Operations array.');
  if (operations.length > MAX_OPERATIONS) throw new FrontdoorError('scim.too_many', `A PATCH holds at most ${MAX_OPERATIONS} operations.`);
  return operations.flatMap((operation, index) => byMemberValue(normaliseOperation(kind, operation, index)));
}

function normaliseOperation(kind: ResourceKind, operation: unknown, index: number): ScimPatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(operation)) throw new FrontdoorError('scim.invalid_syntax', `${where} must be an object.`);
  const fields = Object.fromEntries(Object.entries(operation).map(([k, v]) => [k.toLowerCase(), v]));
  const op = typeof fields.op === 'string' ? fields.op.toLowerCase() : undefined;
  if (!op || !OPS.has(op)) throw new FrontdoorError('scim.invalid_syntax', `${where}.op must be add, replace or remove.`);
  const path = fields.path;
  if (path !== undefined && (typeof path !== 'string' || path.trim() === '' || path.length > 500)) {
    throw new FrontdoorError('scim.invalid_path', `${where}.path must be an attribute path.`);
  }
  if (op === 'remove' && path === undefined) throw new FrontdoorError('scim.no_target', `${where}: remove needs a path (RFC 7644 section 3.5.2.2).`);
  if (op !== 'remove' && fields.value === undefined) throw new FrontdoorError('scim.invalid_value', `${where}: ${op} needs a value.`);
  if (path !== undefined) checkPath(kind, path, where);
  // Entra sends members as {"$ref": null, "value": …}: a null says nothing, and left in, a
  // Remove by value would match no member (scim-patch compares whole objects).
  const value = withoutNulls(fields.value);
  return (path === undefined ? { op, value } : value === undefined ? { op, path } : { op, path, value }) as ScimPatchOperation;
}

/** The attribute a path names must exist and be writable: `emails[type eq "work"].value` names emails.value. */
function checkPath(kind: ResourceKind, path: string, where: string): void {
  const attributePath = path.replace(/\[[^\]]*\]/g, '');
  const attribute = findAttribute(kind, attributePath);
  if (!attribute) throw new FrontdoorError('scim.invalid_path', `${where}: ${kind} has no attribute "${attributePath}" (see /Schemas).`);
  if (attribute.mutability === 'readOnly') throw new FrontdoorError('scim.mutability', `${where}: ${attribute.name} is read-only.`);
}

const SCIM_TYPE_CODES: Record<string, ErrorCode> = {
  noTarget: 'scim.no_target', invalidPath: 'scim.invalid_path', invalidSyntax: 'scim.invalid_syntax', mutability: 'scim.mutability',
};

/** The resource after the operations; the input is not changed. */
export function applyPatch(resource: Resource, operations: ScimPatchOperation[]): Resource {
  try {
    let document = { ...structuredClone(resource), meta: { created: new Date(0), lastModified: new Date(0) } } as ScimResource & Resource;
    for (const operation of operations) {
      // Removing a filtered value of an attribute that has none (a member of a group that has
      // no members) already holds: nothing to do, not a refusal.
      if (operation.op === 'remove' && removesFromNothing(document, operation.path)) continue;
      document = scimPatch(document, [operation], { mutateDocument: false, treatMissingAsAdd: true });
    }
    const { meta: _meta, ...patched } = document as Resource;
    return patched;
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    throw new FrontdoorError(SCIM_TYPE_CODES[error.scimCode ?? ''] ?? 'scim.invalid_value', `The PATCH cannot be applied: ${error.message}`);
  }
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

/**
 * A Remove of members with a value (Entra, and Okta's older shape) is a remove of each member
 * by its id: the value may carry display or $ref, which the stored member has not.
 */
function byMemberValue(operation: ScimPatchOperation): ScimPatchOperation[] {
  if (operation.op !== 'remove' || operation.path?.toLowerCase() !== 'members' || !Array.isArray(operation.value)) return [operation];
  return operation.value.map((member: unknown, i: number) => {
    const id = isObject(member) ? member.value : undefined;
    if (typeof id !== 'string' || /["\\]/.test(id)) throw new FrontdoorError('scim.invalid_value', `members[${i}].value must be a member id.`);
    return { op: 'remove', path: `members[value eq "${id}"]` };
  });
}

function removesFromNothing(document: Resource, path: string): boolean {
  const filtered = /^([^[\]]+)\[/.exec(path);
  if (!filtered) return false;
  const key = Object.keys(document).find((k) => k.toLowerCase() === filtered[1]!.toLowerCase());
  const values = key === undefined ? undefined : document[key];
  return values === undefined || (Array.isArray(values) && values.length === 0);
}
