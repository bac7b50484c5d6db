import { z } from 'zod';
import { FrontdoorError } from '../../core/errors.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';

const PersonParams = z.object({ id: z.uuid() }).strict();

/** Account actions for admins: approving registrations, and the 2FA of a person. */
export function registerAccountRoutes(api: AdminApi, ctx: HttpContext): void {
  const { approvals, twoFactor, rememberedDevices, people } = ctx.services;

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

  // Remembered devices (issue 18 part 8): browsers that skip this person's second factor.
  api.route({
    method: 'GET', path: '/api/v1/accounts/:id/devices', tag: 'accounts', summary: 'Remembered devices of a person that still skip the second factor',
    params: PersonParams,
    handler: async ({ params }) => {
      await people.require(params.id);
      return { devices: await rememberedDevices.list(params.id) };
    },
  });
  api.route({
    method: 'DELETE', path: '/api/v1/accounts/:id/devices', tag: 'accounts', summary: 'Forget every remembered device of a person (audited)',
    params: PersonParams,
    handler: async ({ params, principal }) => ({ revoked: await rememberedDevices.revokeAllFor(await people.require(params.id), 'revoked by an admin', principal.actor) }),
  });
  api.route({
    method: 'DELETE', path: '/api/v1/accounts/:id/devices/:deviceId', tag: 'accounts', status: 204, summary: 'Forget one remembered device of a person (audited)',
    params: z.object({ id: z.uuid(), deviceId: z.uuid() }).strict(),
    handler: async ({ params, principal }) => {
      if (!(await rememberedDevices.revoke(params.id, params.deviceId, principal.actor))) {
        throw new FrontdoorError('device.not_found', 'No such remembered device of this person.');
      }
    },
  });
}
