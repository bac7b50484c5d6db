import { FrontdoorError } from '../../core/errors.ts';

// The SCIM schemas Frontdoor serves (RFC 7643 sections 4, 7 and 8.7), declared once: the
// /Schemas answer is made from them, and so is the check of every body. An attribute that is
// not declared here is refused (scimType invalidSyntax), never stored or silently dropped.

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type AttributeType = 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime' | 'integer' | 'decimal' | 'binary';
export type Attribute = {
  name: string;
  type: AttributeType;
  multiValued?: boolean;
  required?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  caseExact?: boolean;
  subAttributes?: Attribute[];
  description?: string;
};
export type Schema = { id: string; name: string; description: string; attributes: Attribute[] };

const str = (name: string, extra: Partial<Attribute> = {}): Attribute => ({ name, type: 'string', ...extra });
const bool = (name: string): Attribute => ({ name, type: 'boolean' });
/** The shape of emails, phoneNumbers, ims, photos, entitlements, roles, x509Certificates. */
const multi = (name: string, valueType: AttributeType = 'string'): Attribute => ({
  name, type: 'complex', multiValued: true,
  subAttributes: [{ name: 'value', type: valueType }, str('display'), str('type'), bool('primary')],
});
const ref = (name: string, extra: Partial<Attribute> = {}): Attribute => ({ name, type: 'reference', ...extra });
const member = (name: string, mutability: Attribute['mutability']): Attribute => ({
  name, type: 'complex', multiValued: true, mutability,
  subAttributes: [str('value', { mutability: 'immutable' }), ref('$ref', { mutability: 'immutable' }), str('display'), str('type')],
});

export const USER: Schema = {
  id: USER_SCHEMA, name: 'User', description: 'User Account',
  attributes: [
    str('userName', { required: true, uniqueness: 'server', description: 'Unique per connection, compared case-insensitively' }),
    {
      name: 'name', type: 'complex',
      subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => str(n)),
    },
    str('displayName'), str('nickName'), ref('profileUrl'), str('title'), str('userType'), str('preferredLanguage'), str('locale'), str('timezone'),
    bool('active'),
    str('password', { mutability: 'writeOnly', returned: 'never' }),
    multi('emails'), multi('phoneNumbers'), multi('ims'), multi('photos', 'reference'),
    {
      name: 'addresses', type: 'complex', multiValued: true,
      subAttributes: [...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((n) => str(n)), bool('primary')],
    },
    member('groups', 'readOnly'),
    multi('entitlements'), multi('roles'), multi('x509Certificates', 'binary'),
  ],
};

export const ENTERPRISE_USER: Schema = {
  id: ENTERPRISE_USER_SCHEMA, name: 'EnterpriseUser', description: 'Enterprise User',
  attributes: [
    str('employeeNumber'), str('costCenter'), str('organization'), str('division'), str('department'),
    { name: 'manager', type: 'complex', subAttributes: [str('value'), ref('$ref'), str('displayName', { mutability: 'readOnly' })] },
  ],
};

export const GROUP: Schema = {
  id: GROUP_SCHEMA, name: 'Group', description: 'Group (a Frontdoor usergroup)',
  attributes: [str('displayName', { required: true, uniqueness: 'server' }), member('members', 'readWrite')],
};

/** Attributes every resource has (RFC 7643 section 3.1), whatever its schema. */
const COMMON = ['id', 'externalId', 'meta', 'schemas'];
const READ_ONLY_COMMON = new Set(['id', 'meta']);

export type ResourceKind = 'User' | 'Group';
const SCHEMAS_OF: Record<ResourceKind, { core: Schema; extensions: Schema[] }> = {
  User: { core: USER, extensions: [ENTERPRISE_USER] },
  Group: { core: GROUP, extensions: [] },
};

/** A resource's attributes with their names as the schema spells them (names are case-insensitive, RFC 7643 section 2.1). */
export type Resource = Record<string, unknown>;

const refuse = (message: string) => new FrontdoorError('scim.invalid_syntax', message);
const badValue = (message: string) => new FrontdoorError('scim.invalid_value', message);

/**
 * Checks a User or Group body against its schemas and answers it with canonical names:
 * unknown attributes and schemas are refused, read-only ones dropped (RFC 7644 section 3.5.1:
 * "SHALL be ignored"), types checked. With `lenientBooleans`, "True"/"False" count as
 * booleans: Entra sends them in PATCH values (docs/SCIM.md, Entra's known deviations).
 */
export function canonicalResource(kind: ResourceKind, body: unknown, options: { lenientBooleans?: boolean } = {}): Resource {
  if (!isObject(body)) throw refuse(`A ${kind} must be a JSON object.`);
  const { core, extensions } = SCHEMAS_OF[kind];
  const out: Resource = {};
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    const common = COMMON.find((c) => c.toLowerCase() === lower);
    if (common) {
      if (READ_ONLY_COMMON.has(common)) continue;
      if (common === 'schemas') out.schemas = checkSchemas(kind, value);
      else if (value !== null) out.externalId = checkString('externalId', value, 254);
      continue;
    }
    const extension = extensions.find((e) => e.id.toLowerCase() === lower);
    if (extension) {
      if (value === null) continue;
      if (!isObject(value)) throw refuse(`${extension.id} must be an object.`);
      const sub = canonicalAttributes(extension.attributes, value, extension.id, options);
      if (Object.keys(sub).length) out[extension.id] = sub;
      continue;
    }
    const attribute = core.attributes.find((a) => a.name.toLowerCase() === lower);
    if (!attribute) throw refuse(`${kind} has no attribute "${key}" (see /Schemas).`);
    if (attribute.mutability === 'readOnly' || value === null) continue;
    out[attribute.name] = checkValue(attribute, value, attribute.name, options);
  }
  return out;
}

function canonicalAttributes(attributes: Attribute[], body: Record<string, unknown>, where: string, options: { lenientBooleans?: boolean }): Resource {
  const out: Resource = {};
  for (const [key, value] of Object.entries(body)) {
    const attribute = attributes.find((a) => a.name.toLowerCase() === key.toLowerCase());
    if (!attribute) throw refuse(`${where} has no attribute "${key}" (see /Schemas).`);
    if (attribute.mutability === 'readOnly' || value === null) continue;
    out[attribute.name] = checkValue(attribute, value, `${where}.${attribute.name}`, options);
  }
  return out;
}

function checkValue(attribute: Attribute, value: unknown, where: string, options: { lenientBooleans?: boolean }): unknown {
  if (attribute.multiValued) {
    if (!Array.isArray(value)) throw badValue(`${where} must be an array.`);
    if (value.length > 10_000) throw new FrontdoorError('scim.too_many', `${where} holds more than 10000 values.`);
    return value.map((item, i) => checkSingle(attribute, item, `${where}[${i}]`, options));
  }
  return checkSingle(attribute, value, where, options);
}

function checkSingle(attribute: Attribute, value: unknown, where: string, options: { lenientBooleans?: boolean }): unknown {
  switch (attribute.type) {
    case 'complex':
      if (!isObject(value)) throw badValue(`${where} must be an object.`);
      return canonicalAttributes(attribute.subAttributes ?? [], value, where, options);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (options.lenientBooleans && typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw badValue(`${where} must be true or false.`);
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badValue(`${where} must be a number.`);
      return value;
    default:
      return checkString(where, value, attribute.name === 'password' ? 1024 : 2048);
  }
}

function checkString(where: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw badValue(`${where} must be a string.`);
  if (value.length > max) throw badValue(`${where} is longer than ${max} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) throw badValue(`${where} holds control characters.`);
  return value;
}

function checkSchemas(kind: ResourceKind, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) throw refuse('schemas must be an array of schema URNs.');
  const { core, extensions } = SCHEMAS_OF[kind];
  const known = [core, ...extensions].map((s) => s.id);
  // An unknown URN in the list carries no data (Entra names a schema of its own on Groups):
  // it is dropped; an attribute under an unknown URN is still refused, as any unknown attribute.
  const canonical = (value as string[]).flatMap((urn) => known.filter((k) => k.toLowerCase() === urn.toLowerCase()));
  if (!canonical.includes(core.id)) throw refuse(`schemas must include ${core.id}.`);
  return [...new Set(canonical)];
}

/** The attribute a PATCH path or a filter names, or undefined: `name.givenName`, `emails`, `urn:…:User:department`. */
export function findAttribute(kind: ResourceKind, path: string): Attribute | undefined {
  const { core, extensions } = SCHEMAS_OF[kind];
  let rest = path;
  let attributes = core.attributes;
  for (const schema of [core, ...extensions]) {
    if (rest.toLowerCase().startsWith(`${schema.id.toLowerCase()}:`)) {
      rest = rest.slice(schema.id.length + 1);
      attributes = schema.attributes;
    }
  }
  const [head, sub] = rest.split('.', 2);
  const common = COMMON.find((c) => c.toLowerCase() === head!.toLowerCase());
  if (common && sub === undefined) return { name: common, type: common === 'meta' ? 'complex' : 'string', mutability: READ_ONLY_COMMON.has(common) ? 'readOnly' : 'readWrite' };
  const attribute = attributes.find((a) => a.name.toLowerCase() === head!.toLowerCase());
  if (!attribute || sub === undefined) return attribute;
  return attribute.subAttributes?.find((a) => a.name.toLowerCase() === sub.toLowerCase());
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The /Schemas representation of one schema (RFC 7643 section 7), with the defaults spelled out. */
export function schemaResource(schema: Schema, baseUrl: string): Resource {
  const full = (a: Attribute): Record<string, unknown> => ({
    name: a.name, type: a.type, multiValued: a.multiValued ?? false, description: a.description ?? a.name,
    required: a.required ?? false, caseExact: a.caseExact ?? false, mutability: a.mutability ?? 'readWrite',
    returned: a.returned ?? 'default', uniqueness: a.uniqueness ?? 'none',
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(full) } : {}),
  });
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: schema.id, name: schema.name, description: schema.description, attributes: schema.attributes.map(full),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

export const ALL_SCHEMAS: Schema[] = [USER, ENTERPRISE_USER, GROUP];
