import { t } from '../../../i18n/t.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import type { RenderAccount } from './account-page.ts';
import type { DoorRoutes } from './doors.ts';

// Forgetting one's own remembered devices from the account page: one, or all of them.

export function registerAccountDevices({ app, ctx, services, door, requireSignedIn }: DoorRoutes, renderAccount: RenderAccount): void {
  app.post<{ Params: { id: string } }>(`${door.base}/account/devices/:id/forget`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    const actor = { type: 'person', id: signedIn.person.id } as const;
    // Someone else's device id gets the same answer as an unknown one.
    const forgotten = /^[0-9a-f-]{36}$/.test(request.params.id) && (await services.rememberedDevices.revoke(signedIn.person.id, request.params.id, actor, request.ip));
    if (!forgotten) throw new FrontdoorError('device.not_found', 'There is no such remembered device of yours.');
    return renderAccount(request, reply, signedIn, 200, { notice: t('account.deviceForgotten') });
  });

  app.post(`${door.base}/account/devices/forget-all`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    const forgotten = await services.rememberedDevices.revokeAllFor(signedIn.person, 'forgotten by its person', { type: 'person', id: signedIn.person.id });
    return renderAccount(request, reply, signedIn, 200, { notice: t('account.devicesForgotten', { count: forgotten }) });
  });
}
