import { z } from 'zod';
import type { AdminChange } from '../../../core/audit.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { usergroupRemovalImpact } from '../../../core/usergroup-removal.ts';
import { NameSchema, parseInput } from '../../../core/validation.ts';
import { usergroupRemovalTakes, usergroupsPage } from '../../pages/admin/usergroups.ts';
import { frameOf, type AdminConsole, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// Usergroups: create, rename, delete the custom ones.

const groupAudit = (action: string): AdminChange => ({ action, targetType: 'usergroup', audience: 'users' });
const GroupName = z.object({ name: NameSchema.max(100) });

export function registerUsergroupRoutes({ services, page, action, audited, confirmed }: AdminConsole): void {
  const list: Render = async (_request, _reply, admin, state) => usergroupsPage(frameOf(admin, state), await services.usergroups.list());
  page('/admin/usergroups', list);
  action('/admin/usergroups', list, async (request, admin, form) => {
    const group = await services.usergroups.create(parseInput(GroupName, { name: form.name ?? '' }).name);
    await audited(admin, request, groupAudit('usergroup.created'), group.id);
    return '/admin/usergroups?notice=created';
  });
  action('/admin/usergroups/:id/rename', list, async (request, admin, form) => {
    const id = parseInput(z.uuid(), (request.params as { id: string }).id);
    await services.usergroups.rename(id, parseInput(GroupName, { name: form.name ?? '' }).name);
    await audited(admin, request, groupAudit('usergroup.renamed'), id);
    return '/admin/usergroups?notice=renamed';
  });
  const groupOf = (request: { params: unknown }) => services.usergroups.require(parseInput(z.uuid(), (request.params as { id: string }).id));
  confirmed('/admin/usergroups/:id/remove', async (request) => {
    const group = await groupOf(request);
    if (group.system) throw new FrontdoorError('usergroup.system', `${group.name} is built in and cannot be removed.`);
    return {
      section: 'usergroups', title: t('console.confirm.usergroupTitle', { name: group.name }), button: t('console.confirm.deleteNamed', { name: group.name }), cancel: '/admin/usergroups',
      takes: usergroupRemovalTakes(await usergroupRemovalImpact(services.db, group)),
    };
  }, async (request, admin) => {
    const id = (await groupOf(request)).id;
    await services.usergroups.remove(id);
    await audited(admin, request, groupAudit('usergroup.removed'), id);
    return '/admin/usergroups?notice=removed';
  });
}
