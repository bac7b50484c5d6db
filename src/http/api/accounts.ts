import { z } from 'zod';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';

const PersonParams = z.object({ id: z.uuid() }).strict();

/** Account actions for admins: approving registrations, and the 2FA of a person. */
export function registerAccountRoutes(api: AdminApi, ctx: HttpContext): void {
  const { approvals, twoFactor } = ctx.services;

  api.route({
    method: 'GET', path: '/api/v1/accounts/pending', tag: 'accounts', summary: 'Users waiting for approval (registration mode agent_approval)',
    handler: async () => ({ people: await approvals.pendingApproval() }),
  });

  api.route({
    method: 'POST', path: '/api/v1/accounts/:id/approve', tag: 'accounts', summary: 'Approve a waiting User; they are told by email and can sign in',
    params: PersonParams,
    handler: async ({ params, principal }) => ({ person: await approvals.approve(params.id, principal.actor) }),
  });

  api.route({
    method: 'POST', path: '/api/v1/accounts/:id/reject', tag: 'accounts', status: 204, summary: 'Turn a waiting registration down (the account is removed)',
    params: PersonParams,
    handler: async ({ params, principal }) => approvals.reject(params.id, principal.actor),
  });

  api.route({
    method: 'DELETE', path: '/api/v1/accounts/:id/two-factor', tag: 'accounts',
    summary: 'Remove every second factor of a person (authenticator app, email codes, recovery codes), e.g. an agent who lost their phone',
    params: PersonParams,
    handler: async ({ params, principal }) => ({ person: await twoFactor.remove(params.id, principal.actor) }),
  });

  api.route({
    method: 'PUT', path: '/api/v1/accounts/:id/two-factor-requirement', tag: 'accounts',
    summary: 'Require 2FA of one person from their next sign-in, or from graceUntil on; required=false stops requiring it',
    params: PersonParams,
    body: z.object({ required: z.boolean(), graceUntil: z.iso.datetime({ offset: true }).nullable().optional() }).strict(),
    handler: async ({ params, body, principal }) => ({ person: await twoFactor.setRequirement(params.id, body, principal.actor) }),
  });
}
