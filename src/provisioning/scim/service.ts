import type { Services } from '../../core/services.ts';
import { ScimConnections } from './connections.ts';
import { ScimGroups } from './groups.ts';
import { ALL_SCHEMAS, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, schemaResource, USER_SCHEMA, type Resource } from './schemas.ts';
import { ScimUsers } from './users.ts';
import { MAX_PAGE } from './resources.ts';

/** The SCIM server's parts, made once per Services (the HTTP routes, the console, the API and the CLI share them). */
export type ScimProvisioning = {
  baseUrl: string;
  connections: ScimConnections;
  users: ScimUsers;
  groups: ScimGroups;
  discovery: { serviceProviderConfig: Resource; resourceTypes: Resource[]; schemas: Resource[] };
};

const made = new WeakMap<Services, ScimProvisioning>();

export function scimProvisioning(services: Services): ScimProvisioning {
  let scim = made.get(services);
  if (!scim) made.set(services, (scim = build(services)));
  return scim;
}

/** The base URL an identity service is given: PUBLIC_URL's path, then /scim/v2. */
export function scimBaseUrl(publicUrl: URL): string {
  return `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}/scim/v2`;
}

function build(services: Services): ScimProvisioning {
  const baseUrl = scimBaseUrl(services.config.publicUrl);
  const { db, people, sessions, audit, usergroups } = services;
  return {
    baseUrl,
    connections: new ScimConnections(db),
    users: new ScimUsers({ db, people, sessions, audit, baseUrl }),
    groups: new ScimGroups({ db, usergroups, people, audit, baseUrl }),
    discovery: discoveryDocuments(baseUrl),
  };
}

// RFC 7644 section 4: what this server does, so an identity service need not guess.
function discoveryDocuments(baseUrl: string): ScimProvisioning['discovery'] {
  const supported = (value: boolean) => ({ supported: value });
  return {
    serviceProviderConfig: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: supported(true),
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: MAX_PAGE },
      changePassword: supported(true),
      sort: supported(false),
      etag: supported(true),
      authenticationSchemes: [{
        type: 'oauthbearertoken', name: 'Bearer token', primary: true,
        description: 'The token shown once when the SCIM connection was made in the admin console.',
      }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
    },
    resourceTypes: [
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', description: 'Frontdoor people',
        schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
        meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
      },
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Frontdoor usergroups (Users connections)',
        schema: GROUP_SCHEMA, schemaExtensions: [],
        meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
      },
    ],
    schemas: ALL_SCHEMAS.map((schema) => schemaResource(schema, baseUrl)),
  };
}
