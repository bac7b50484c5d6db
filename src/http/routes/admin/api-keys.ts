import { z } from 'zod';
import { FrontdoorError } from '../../../core/errors.ts';
import { parseInput } from '../../../core/validation.ts';
import { apiKeysPage } from '../../pages/admin/api-keys.ts';
import { frameOf, send, type AdminConsole, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// Admin API keys: create (the key is shown once), revoke.

export function registerApiKeyRoutes({ services, page, answer, audited, confirmed }: AdminConsole): void {
  const list: Render = async (_request, _reply, admin, state) => apiKeysPage(frameOf(admin, state), await services.apiKeys.list());
  page('/admin/api-keys', list);
  // The key is shown once, in the answer to the POST itself: a redirect would have to carry it.
  answer('/admin/api-keys', list, async (request, reply, admin, form) => {
    const { key, apiKey } = await services.apiKeys.create(form.name ?? '', admin.person.id);
    await audited(admin, request, { action: 'apikey.created', targetType: 'api_key' }, apiKey.id);
    return send(reply, 201, apiKeysPage(frameOf(admin, {}), await services.apiKeys.list(), { name: apiKey.name, key }));
  });
  const keyOf = async (request: { params: unknown }) => {
    const id = parseInput(z.uuid(), (request.params as { id: string }).id);
    const key = (await services.apiKeys.list()).find((k) => k.id === id && !k.revoked);
    if (!key) throw new FrontdoorError('apikey.not_found', 'No such live API key.');
    return key;
  };
  confirmed('/admin/api-keys/:id/revoke', async (request) => {
    const key = await keyOf(request);
    return { section: 'api-keys', title: t('console.confirm.apiKeyTitle', { name: key.name }), button: t('console.scim.revokeNamed', { name: key.name }), cancel: '/admin/api-keys', takes: [t('console.confirm.apiKeyTakes')] };
  }, async (request, admin) => {
    const id = (await keyOf(request)).id;
    await services.apiKeys.revoke(id);
    await audited(admin, request, { action: 'apikey.revoked', targetType: 'api_key' }, id);
    return '/admin/api-keys?notice=revoked';
  });
}
