import type { ApiKey } from '../../../core/api-keys.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { actionButton, confirmLink, consolePage, listTable, copyList, csrfField, textInput, when, type ConsoleFrame } from './blocks.ts';

// The API keys section: the keys (never their values), a new key shown once, revoke.

export function apiKeysPage(frame: ConsoleFrame, keys: readonly ApiKey[], created?: { name: string; key: string }): SafeHtml {
  const { csrf } = frame;
  return consolePage(frame, t('adminApiKeys.heading'), 'api-keys', html`<h1>${t('adminApiKeys.heading')}</h1>
${created ? html`<div class="notice" role="status"><p><strong>${t('adminApiKeys.shownOnce', { name: created.name })}</strong> ${t('adminApiKeys.copyNow')}</p>${copyList({ key: created.key }, { key: t('adminApiKeys.key') })}</div>` : ''}
${listTable([t('adminApiKeys.name'), t('adminApiKeys.created'), t('adminApiKeys.lastUsed'), t('adminApiKeys.state')], keys.map((k) => [k.name, when(k.createdAt), when(k.lastUsedAt) || t('adminApiKeys.never'), k.revoked ? t('adminApiKeys.revoked') : confirmLink(`/admin/api-keys/${k.id}/revoke`, t('adminApiKeys.revoke', { name: k.name }))]))}
<form class="stack card" method="post" action="/admin/api-keys">${csrfField(csrf)}<h2>${t('adminApiKeys.new')}</h2>
${textInput(frame.state, 'name', t('adminApiKeys.purpose'), '', { required: true })}<button type="submit">${t('adminApiKeys.create')}</button></form>`);
}
