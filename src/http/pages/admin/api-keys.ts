import type { ApiKey } from '../../../core/api-keys.ts';
import { html, type SafeHtml } from '../../html.ts';
import { actionButton, confirmLink, consolePage, listTable, copyList, csrfField, textInput, when, type ConsoleFrame } from './blocks.ts';

// The API keys section: the keys (never their values), a new key shown once, revoke.

export function apiKeysPage(frame: ConsoleFrame, keys: readonly ApiKey[], created?: { name: string; key: string }): SafeHtml {
  const { csrf } = frame;
  return consolePage(frame, 'API keys', 'api-keys', html`<h1>API keys</h1>
${created ? html`<div class="notice" role="status"><p><strong>The key “${created.name}”, shown this once.</strong> Copy it now; only its hash is kept.</p>${copyList({ key: created.key }, { key: 'API key' })}</div>` : ''}
${listTable(['Name', 'Created', 'Last used', 'State'], keys.map((k) => [k.name, when(k.createdAt), when(k.lastUsedAt) || 'never', k.revoked ? 'revoked' : confirmLink(`/admin/api-keys/${k.id}/revoke`, `Revoke ${k.name}`)]))}
<form class="stack card" method="post" action="/admin/api-keys">${csrfField(csrf)}<h2>New API key</h2>
${textInput(frame.state, 'name', 'Name (what it is for)', '', { required: true })}<button type="submit">Create API key</button></form>`);
}
