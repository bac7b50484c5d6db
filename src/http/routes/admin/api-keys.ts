import { z } from 'zod';
import { parseInput } from '../../../core/validation.ts';
import { apiKeysPage } from '../../pages/admin/api-keys.ts';
import { frameOf, send, type AdminConsole, type Render } from './console.ts';

// Admin API keys: create (the key is shown once), revoke.

export function registerApiKeyRoutes({ services, page, action, answer, audited }: AdminConsole): void {
  const list: Render = async (_request, _reply, admin, state) => apiKeysPage(frameOf(admin, state), await services.apiKeys.list());
  page('/admin/api-keys', list);
  // The key is shown once, in the answer to the POST itself: a redirect would have to carry it.
  answer('/admin/api-keys', list, async (request, reply, admin, form) => {
    const { key, apiKey } = await services.apiKeys.create(form.name ?? '', admin.person.id);
    await audited(admin, request, { action: 'apikey.created', targetType: 'api_key' }, apiKey.id);
    return send(reply, 201, apiKeysPage(frameOf(admin, {}), await services.apiKeys.list(), { name: apiKey.name, key }));
  });
  action('/admin/api-keys/:id/revoke', list, async (request, admin) => {
    const id = parseInput(z.uuid(), (request.params as { id: string }).id);
    await services.apiKeys.revoke(id);
    await audited(admin, request, { action: 'apikey.revoked', targetType: 'api_key' }, id);
    return '/admin/api-keys?notice=revoked';
  });
}
