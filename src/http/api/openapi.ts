import { z } from 'zod';
import type { RouteDoc } from './define-route.ts';

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'traceId'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, traceId: { type: 'string' }, details: { type: 'object' } },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parametersOf(doc: RouteDoc): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [['path', doc.params], ['query', doc.query]] as const) {
    if (!schema) continue;
    const shape = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(shape.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (shape.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document of the admin API, built from the same route table that serves it. */
export function buildOpenApiDocument(docs: RouteDoc[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const path = doc.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][doc.method.toLowerCase()] = {
      summary: doc.summary,
      tags: [doc.tag],
      parameters: parametersOf(doc),
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } } } : {}),
      responses: {
        [String(doc.status)]: { description: doc.status === 204 ? 'Done' : 'Success' },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Frontdoor admin API',
      version: '1',
      description: 'Manage auth apps, registration, people, usergroups, articles, sessions, API keys and the audit log. Authenticate with an API key (Authorization: Bearer fdk_...) or an admin agent session cookie plus the X-CSRF-Token header for changes. Lists (people, sessions, SSO traces, audit) answer a page and `next`, the link to the next page (also in a Link header; null on the last page): follow it, passing `after` unchanged. `offset` is no longer accepted (issue 20: it read every row before the page); the audit log still takes `before`.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `frontdoor apikey create`.' },
        agentSession: { type: 'apiKey', in: 'cookie', name: 'fd_session_agents' },
      },
      schemas: { Error: ErrorBody },
    },
    security: [{ apiKey: [] }, { agentSession: [] }],
    paths,
  };
}
