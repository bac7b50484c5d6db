import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError, isFrontdoorError, type ErrorCode } from '../../core/errors.ts';
import type { ScimConnection } from '../../provisioning/scim/connections.ts';
import { listResponse, type ListQuery } from '../../provisioning/scim/resources.ts';
import { ERROR_SCHEMA, type Resource } from '../../provisioning/scim/schemas.ts';
import { scimProvisioning } from '../../provisioning/scim/service.ts';
import type { HttpContext } from '../context.ts';
import { toFrontdoorError } from '../errors.ts';

// SCIM 2.0 (RFC 7644) at /scim/v2, for Okta, Entra and any other identity service: a bearer
// token names the connection, and so the audience every User it provisions belongs to. Every
// answer is application/scim+json; every refusal is the SCIM error schema with a scimType
// (RFC 7644 section 3.12), our stable code and the trace id, and has changed nothing.

const CONTENT_TYPE = 'application/scim+json; charset=utf-8';
// A group with its members in one PUT is bigger than a sign-in form: 10,000 members fit.
const BODY_LIMIT_BYTES = 1024 * 1024;

/** RFC 7644 section 3.12, table 9: the scimType of each of our codes that has one. */
const SCIM_TYPES: Partial<Record<ErrorCode, string>> = {
  'scim.invalid_syntax': 'invalidSyntax', 'scim.invalid_value': 'invalidValue', 'request.invalid': 'invalidValue',
  'password.too_short': 'invalidValue', 'password.too_long': 'invalidValue', 'password.too_common': 'invalidValue',
  'scim.invalid_filter': 'invalidFilter', 'scim.invalid_path': 'invalidPath', 'scim.no_target': 'noTarget',
  'scim.mutability': 'mutability', 'scim.too_many': 'tooMany',
  'scim.uniqueness': 'uniqueness', 'person.email_taken': 'uniqueness', 'usergroup.name_taken': 'uniqueness',
};

type Params = { id?: string; name?: string };

export function registerScimRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const scim = scimProvisioning(ctx.services);
  const connections = new WeakMap<FastifyRequest, ScimConnection>();
  const refusals = new WeakMap<FastifyRequest, ErrorCode>();
  const connectionOf = (request: FastifyRequest) => connections.get(request)!;

  void app.register(async (scope) => {
    // Identity services send application/scim+json (RFC 7644 section 3.1) or plain JSON; a
    // body that is not JSON is invalidSyntax in the SCIM error schema, not Fastify's own answer.
    scope.removeContentTypeParser(['application/json']);
    scope.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_request, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch {
        done(new FrontdoorError('scim.invalid_syntax', 'The body is not valid JSON.'), undefined);
      }
    });

    // The token first, for every path, discovery included: nothing here answers a stranger.
    scope.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const connection = token ? await scim.connections.authenticate(token) : undefined;
      if (!connection) {
        reply.header('www-authenticate', 'Bearer realm="SCIM"');
        throw new FrontdoorError('scim.unauthorized', 'A valid bearer token of a live SCIM connection is required.');
      }
      connections.set(request, connection);
    });

    // Before the answer leaves (onSend, not onResponse): the console's "last requests" then
    // already holds a request its client has seen answered.
    scope.addHook('onSend', async (request, reply, payload) => {
      const connection = connections.get(request);
      if (!connection) return payload;
      await scim.connections.recordRequest(connection.id, {
        method: request.method, path: request.url.split('?')[0]!, status: reply.statusCode, code: refusals.get(request) ?? null,
      }).catch((error: unknown) => request.log.error({ err: error }, 'could not record a SCIM request'));
      return payload;
    });

    scope.setErrorHandler(async (error, request, reply) => {
      const fd = isFrontdoorError(error) ? error
        : (error as { code?: string }).code?.startsWith('FST_ERR_CTP') && (error as { code?: string }).code !== 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? new FrontdoorError('scim.invalid_syntax', 'The body must be JSON, sent as application/scim+json.')
          : toFrontdoorError(error);
      refusals.set(request, fd.code);
      const log = { code: fd.code, status: fd.status, url: request.url.split('?')[0], method: request.method, traceId: request.id };
      if (fd.status >= 500) request.log.error({ ...log, err: error }, 'SCIM request failed');
      else request.log.warn(log, 'SCIM request refused');
      const connection = connections.get(request);
      if (connection && request.method !== 'GET' && fd.status < 500) {
        await ctx.services.audit.record({
          action: 'scim.request_refused', outcome: 'failure', reason: fd.code, audience: connection.audience,
          actor: { type: 'scim_connection', id: connection.id }, ip: request.ip,
          details: { connection: connection.name, method: request.method, path: request.url.split('?')[0] },
        });
      }
      return sendScim(reply, fd.status, {
        schemas: [ERROR_SCHEMA], status: String(fd.status), ...(SCIM_TYPES[fd.code] ? { scimType: SCIM_TYPES[fd.code] } : {}),
        detail: fd.message, code: fd.code, traceId: request.id,
      });
    });
    scope.setNotFoundHandler(async () => {
      throw new FrontdoorError('scim.not_found', 'There is no SCIM endpoint at this address (see /scim/v2/ResourceTypes).');
    });

    const { discovery } = scim;
    scope.get('/ServiceProviderConfig', async (_request, reply) => sendScim(reply, 200, discovery.serviceProviderConfig));
    scope.get('/ResourceTypes', async (request, reply) => sendScim(reply, 200, listOf(resourceTypesFor(discovery.resourceTypes, connectionOf(request)))));
    scope.get('/ResourceTypes/:name', async (request, reply) => {
      const name = (request.params as Params).name ?? '';
      const found = resourceTypesFor(discovery.resourceTypes, connectionOf(request)).find((r) => r.id === name);
      if (!found) throw new FrontdoorError('scim.not_found', `No resource type ${name}.`);
      return sendScim(reply, 200, found);
    });
    scope.get('/Schemas', async (_request, reply) => sendScim(reply, 200, listOf(discovery.schemas)));
    scope.get('/Schemas/:id', async (request, reply) => {
      const id = (request.params as Params).id ?? '';
      const found = discovery.schemas.find((s) => s.id === id);
      if (!found) throw new FrontdoorError('scim.not_found', `No schema ${id}.`);
      return sendScim(reply, 200, found);
    });

    const resourceRoutes = (path: '/Users' | '/Groups', store: typeof scim.users | typeof scim.groups) => {
      const available = (request: FastifyRequest) => {
        const connection = connectionOf(request);
        // Usergroups are for Users only (DESIGN.md): an Agents connection has no Groups.
        if (path === '/Groups' && connection.audience !== 'users') {
          throw new FrontdoorError('scim.not_found', 'Groups are usergroups, which only a Users connection has.');
        }
        return connection;
      };
      const id = (request: FastifyRequest) => (request.params as Params).id!;
      const ifMatch = (request: FastifyRequest) => request.headers['if-match'];
      scope.get(path, async (request, reply) => sendScim(reply, 200, await store.list(available(request), listQuery(request))));
      scope.post(path, async (request, reply) => {
        const created = await store.create(available(request), request.body);
        reply.header('location', (created.meta as { location: string }).location);
        return sendResource(reply, 201, created);
      });
      scope.get(`${path}/:id`, async (request, reply) => sendResource(reply, 200, await store.get(available(request), id(request), listQuery(request))));
      scope.put(`${path}/:id`, async (request, reply) => sendResource(reply, 200, await store.replace(available(request), id(request), request.body, ifMatch(request))));
      scope.patch(`${path}/:id`, async (request, reply) => sendResource(reply, 200, await store.patch(available(request), id(request), request.body, ifMatch(request))));
      scope.delete(`${path}/:id`, async (request, reply) => {
        await store.remove(available(request), id(request), ifMatch(request));
        return reply.code(204).send();
      });
    };
    resourceRoutes('/Users', scim.users);
    resourceRoutes('/Groups', scim.groups);

    // Optional parts of RFC 7644 this server does not offer (ServiceProviderConfig says so).
    for (const path of ['/Bulk', '/Me', '/.search', '/Users/.search', '/Groups/.search']) {
      scope.all(path, async () => {
        throw new FrontdoorError('scim.not_implemented', `${path} is not offered by this SCIM server (see /scim/v2/ServiceProviderConfig).`);
      });
    }
  }, { prefix: '/scim/v2' });
}

/** An Agents connection has no Groups (usergroups are for Users), so it is not told of them. */
function resourceTypesFor(all: Resource[], connection: ScimConnection): Resource[] {
  return connection.audience === 'users' ? all : all.filter((r) => r.id === 'User');
}

const listOf = (resources: Resource[]): Resource => listResponse(resources.length, 1, resources);

function listQuery(request: FastifyRequest): ListQuery {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const text = (name: string) => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new FrontdoorError('scim.invalid_value', `${name} must be given once.`);
    return value;
  };
  const integer = (name: string) => {
    const value = text(name);
    if (value === undefined) return undefined;
    if (!/^-?\d{1,9}$/.test(value.trim())) throw new FrontdoorError('scim.invalid_value', `${name} must be an integer.`);
    return Number(value);
  };
  return { filter: text('filter'), startIndex: integer('startIndex'), count: integer('count'), attributes: text('attributes'), excludedAttributes: text('excludedAttributes') };
}

function sendScim(reply: FastifyReply, status: number, body: Resource): FastifyReply {
  return reply.code(status).header('content-type', CONTENT_TYPE).header('cache-control', 'no-store').send(JSON.stringify(body));
}

/** One resource: its version is also the ETag header (RFC 7644 section 3.14). */
function sendResource(reply: FastifyReply, status: number, resource: Resource): FastifyReply {
  const version = (resource.meta as { version?: string } | undefined)?.version;
  if (version) reply.header('etag', version);
  return sendScim(reply, status, resource);
}
