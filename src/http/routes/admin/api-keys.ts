import { z } from 'zod';
import { FrontdoorError } from '../../../core/errors.ts';
import { parseInput } from '../../../core/validation.ts';
import { apiKeysPage } from '../../pages/admin/api-keys.ts';
import { SHOWN_SECRET_TTL_MS } from '../../../core/console-results.ts';
import { frameOf, type AdminConsole, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// Admin API keys: create (the key is shown once), revoke.

export function registerApiKeyRoutes({ services, page, action, audited, confirmed }: AdminConsole): void {
  const list: Render = async (_request, _reply, admin, state) => apiKeysPage(frameOf(admin, state), await services.apiKeys.list());
  page('/admin/api-keys', list);
  // The new key is kept, sealed, for this session for a while (console-results.ts): the answer is
  // a redirect to where it is shown, so a reload shows it again instead of making another key.
  action('/admin/api-keys', list, async (request, admin, form) => {
    const { key, apiKey } = await services.apiKeys.create(form.name ?? '', admin.person.id);
    await audited(admin, request, { action: 'apikey.created', targetType: 'api_key' }, apiKey.id);
    const shown = await services.consoleResults.save('api_key', { sessionId: admin.sessionId }, { name: apiKey.name, key }, SHOWN_SECRET_TTL_MS);
    return `/admin/api-keys/new/${shown}`;
  });
  page('/admin/api-keys/new/:result', async (request, _reply, admin, state) => {
    const id = (request.params as { result: string }).result;
    const shown = await services.consoleResults.find<{ name: string; key: string }>('api_key', id, admin.sessionId);
    if (!shown) throw new FrontdoorError('request.not_found', 'This key is shown only to the session that made it, for 15 minutes.');
    return apiKeysPage(frameOf(admin, state), await services.apiKeys.list(), shown.payload);
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
