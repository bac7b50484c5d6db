import { z } from 'zod';
import { auditNames } from '../../../core/audit-names.ts';
import { auditPage } from '../../pages/admin/audit.ts';
import { AudienceParam, CursorParam, frameOf, type AdminConsole } from './console.ts';

// The audit log: read only, filtered by what the query names; a bad filter value is ignored.

const AuditQuery = z.object({
  action: z.string().regex(/^[a-z_.]{1,80}\*?$/, 'an action such as signin.password or signin.*').optional().catch(undefined),
  outcome: z.enum(['success', 'failure']).optional().catch(undefined),
  audience: AudienceParam.optional().catch(undefined),
  before: z.string().regex(/^\d{1,19}$/).optional().catch(undefined),
  after: CursorParam,
});

export function registerAuditRoutes({ services, page }: AdminConsole): void {
  page('/admin/audit', async (request, _reply, admin, state) => {
    const raw = request.query as Record<string, string>;
    const filter = AuditQuery.parse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '')));
    const found = await services.audit.page({ ...filter, limit: 100 });
    const { before: _before, after: _after, ...kept } = filter;
    const next = found.next ? new URLSearchParams({ ...Object.fromEntries(Object.entries(kept).filter(([, v]) => v)), after: found.next }) : undefined;
    return auditPage(frameOf(admin, state), { filter, typedAction: raw.action, events: found.items, next, names: await auditNames(services.db, found.items) });
  });
}
