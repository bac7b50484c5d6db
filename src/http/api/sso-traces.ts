import { z } from 'zod';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';

export function registerSsoTraceRoutes(api: AdminApi, ctx: HttpContext): void {
  const { ssoTraces } = ctx.services;

  api.route({
    method: 'GET', path: '/api/v1/sso-traces', tag: 'sso-traces',
    summary: 'Recent external sign-in attempts, newest first: which check failed, clock skew, claims received (never secrets)',
    query: z.object({ appId: z.uuid().optional(), outcome: z.enum(['pending', 'success', 'failure']).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }).strict(),
    handler: async ({ query }) => ({ traces: await ssoTraces.list(query) }),
  });

  api.route({
    method: 'GET', path: '/api/v1/sso-traces/:id', tag: 'sso-traces',
    summary: 'One sign-in attempt, by the trace id the person saw on their error page',
    params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }).strict(),
    handler: async ({ params }) => ({ trace: await ssoTraces.require(params.id) }),
  });
}
