import { z } from 'zod';
import { AppTypeSchema } from '../../core/app-config.ts';
import { SlugSchema } from '../../core/apps.ts';
import { AudienceSchema } from '../../core/audience.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) }).strict();
const SsoSchema = z.enum(['disabled', 'automatic']);

const NewAppBody = z
  .object({
    audience: AudienceSchema,
    type: AppTypeSchema,
    name: z.string().trim().min(1).max(100).optional(),
    slug: SlugSchema.optional(),
    enabled: z.boolean().optional(),
    sso: SsoSchema.optional(),
    showButton: z.boolean().optional(),
    displayOrder: z.number().int().min(-1000).max(1000).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const AppChangesBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
    sso: SsoSchema.optional(),
    showButton: z.boolean().optional(),
    displayOrder: z.number().int().min(-1000).max(1000).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export function registerAppRoutes(api: AdminApi, ctx: HttpContext): void {
  const { apps } = ctx.services;

  api.route({
    method: 'GET', path: '/api/v1/apps', tag: 'apps', summary: 'List auth apps, optionally of one audience',
    query: z.object({ audience: AudienceSchema.optional() }).strict(),
    handler: async ({ query }) => ({ apps: await apps.list(query.audience) }),
  });

  api.route({
    method: 'POST', path: '/api/v1/apps', tag: 'apps', status: 201,
    summary: 'Install an auth app for one audience. sso=automatic demotes the audience\'s current automatic app.',
    body: NewAppBody,
    handler: async ({ body, principal }) => ({ app: await apps.create(body, principal.actor) }),
  });

  api.route({
    method: 'GET', path: '/api/v1/apps/:id', tag: 'apps', summary: 'One auth app, by id or slug (secrets are never returned)',
    params: IdParams,
    handler: async ({ params }) => ({ app: await apps.require(params.id) }),
  });

  api.route({
    method: 'PATCH', path: '/api/v1/apps/:id', tag: 'apps',
    summary: 'Change an auth app. config is merged; a secret left out keeps its stored value.',
    params: IdParams,
    body: AppChangesBody,
    handler: async ({ params, body, principal }) => ({ app: await apps.update(params.id, body, principal.actor) }),
  });

  api.route({
    method: 'DELETE', path: '/api/v1/apps/:id', tag: 'apps', status: 204, summary: 'Remove an auth app (not the built-in password app)',
    params: IdParams,
    handler: async ({ params, principal }) => apps.remove(params.id, principal.actor),
  });
}
