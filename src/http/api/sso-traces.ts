import { z } from 'zod';
import { AudienceSchema } from '../../core/audience.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';
import { nextLink, PagingQuery } from './paging.ts';

export function registerSsoTraceRoutes(api: AdminApi, ctx: HttpContext): void {
  const { ssoTraces } = ctx.services;

  api.route({
    method: 'GET', path: '/api/v1/sso-traces', tag: 'sso-traces',
    summary: 'External sign-in attempts, newest first, a page at a time (next): which check failed, clock skew, claims received (never secrets)',
    query: z
      .object({
        appId: z.uuid().optional(), outcome: z.enum(['pending', 'success', 'failure']).optional(), audience: AudienceSchema.optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(), ...PagingQuery,
      })
      .strict(),
    handler: async ({ query, request, reply }) => {
      const page = await ssoTraces.page(query);
      return { traces: page.items, next: nextLink(request, reply, page.next) };
    },
  });

  api.route({
    method: 'GET', path: '/api/v1/sso-traces/:id', tag: 'sso-traces',
    summary: 'One sign-in attempt, by the trace id the person saw on their error page',
    params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }).strict(),
    handler: async ({ params }) => ({ trace: await ssoTraces.require(params.id) }),
  });
}
