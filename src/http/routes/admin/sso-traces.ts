import { z } from 'zod';
import { FrontdoorError } from '../../../core/errors.ts';
import { ssoTracePage, ssoTracesPage } from '../../pages/admin/sso-traces.ts';
import { AudienceParam, CursorParam, frameOf, type AdminConsole } from './console.ts';

// SSO traces: read only; the trace id of an error page opens its trace.

export function registerSsoTraceRoutes({ scope, services, page }: AdminConsole): void {
  scope.get('/admin/sso-traces/find', async (request, reply) => {
    const id = String((request.query as { id?: string }).id ?? '').trim();
    return reply.redirect(id ? `/admin/sso-traces/${encodeURIComponent(id)}` : '/admin/sso-traces', 302);
  });
  page('/admin/sso-traces', async (request, _reply, admin, state) => {
    const raw = request.query as Record<string, string>;
    const apps = await services.apps.list();
    const outcome = z.enum(['pending', 'success', 'failure']).optional().catch(undefined).parse(raw.outcome || undefined);
    const audience = AudienceParam.optional().catch(undefined).parse(raw.audience || undefined);
    const appId = apps.some((a) => a.id === raw.appId) ? raw.appId : undefined;
    const found = await services.ssoTraces.page({ appId, outcome, audience, after: CursorParam.parse(raw.after), limit: 100 });
    const next = found.next ? new URLSearchParams({ ...Object.fromEntries(Object.entries({ appId, outcome, audience }).filter(([, v]) => v) as [string, string][]), after: found.next }) : undefined;
    return ssoTracesPage(frameOf(admin, state), { apps, filter: { appId, outcome, audience }, traces: found.items, next });
  });
  page('/admin/sso-traces/:id', async (request, _reply, admin, state) => {
    const id = String((request.params as { id: string }).id);
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(id)) throw new FrontdoorError('trace.not_found', 'No such SSO trace.');
    const trace = await services.ssoTraces.require(id);
    const app = trace.appId ? await services.apps.find(trace.appId) : undefined;
    return ssoTracePage(frameOf(admin, state), trace, app);
  });
}
