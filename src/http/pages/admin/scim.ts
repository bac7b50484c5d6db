import type { ScimConnection, ScimRequestRecord } from '../../../provisioning/scim/connections.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { audienceLabel, confirmLink, consolePage, listTable, copyList, csrfField, select, textInput, when, type ConsoleFrame } from './blocks.ts';

// The SCIM connections section of the console (docs/SCIM.md): the list, the form that makes
// one, the URL and token shown once, and a connection's last requests with their outcome.


export type CreatedConnection = { connection: ScimConnection; token: string; baseUrl: string };

export function scimConnectionsPage(frame: ConsoleFrame, connections: readonly ScimConnection[], created?: CreatedConnection): SafeHtml {
  const { csrf, state } = frame;
  return consolePage(frame, t('console.scim.title'), 'scim', html`<h1>${t('console.scim.title')}</h1>
<p>${t('console.scim.intro')}</p>
${created ? html`<div class="notice" role="status"><p><strong>${t('console.scim.tokenOnce', { name: created.connection.name })}</strong> ${t('console.scim.copyNow')}</p>
${copyList({ url: created.baseUrl, token: created.token }, { url: t('console.scim.baseUrl'), token: t('console.scim.token') })}</div>` : ''}
${listTable([t('console.people.name'), t('console.traces.audience'), t('console.scim.created'), t('console.scim.lastUsed'), t('console.scim.state')], connections.map((c) => [html`<a href="/admin/scim/${c.id}">${c.name}</a>`, audienceLabel(c.audience), when(c.createdAt), when(c.lastUsedAt) || t('console.scim.never'), c.revoked ? t('console.scim.revoked') : confirmLink(`/admin/scim/${c.id}/revoke`, t('console.scim.revokeNamed', { name: c.name }))]))}
<form class="stack card" method="post" action="/admin/scim">${csrfField(csrf)}<h2>${t('console.scim.new')}</h2>
${textInput(state, 'name', t('console.scim.nameLabel'), '', { required: true, placeholder: 'Okta' })}
${select(state, 'audience', t('console.scim.audienceLabel'), 'users', [['users', audienceLabel('users')], ['agents', audienceLabel('agents')]], t('console.scim.audienceHint'))}
<button type="submit">${t('console.scim.create')}</button></form>`);
}

export function scimConnectionPage(frame: ConsoleFrame, connection: ScimConnection, requests: readonly ScimRequestRecord[], baseUrl: string): SafeHtml {
  return consolePage(frame, t('console.scim.connectionTitle', { name: connection.name }), 'scim', html`<h1>${t('console.scim.connectionHeading', { name: connection.name })}</h1>
<p><a href="/admin/scim">${t('console.scim.all')}</a></p>
<section class="card"><h2>${t('console.scim.setup')}</h2>${copyList({ url: baseUrl }, { url: t('console.scim.baseUrl') })}
<p>${t('console.scim.facts', { audience: audienceLabel(connection.audience), created: when(connection.createdAt), lastUsed: when(connection.lastUsedAt) || t('console.scim.never'), state: connection.revoked ? t('console.scim.revoked') : t('console.scim.live') })}</p>
${connection.revoked ? '' : confirmLink(`/admin/scim/${connection.id}/revoke`, t('console.scim.revokeThis'))}</section>
<section class="card" aria-labelledby="scim-requests"><h2 id="scim-requests">${t('console.scim.lastRequests')}</h2>
${requests.length ? html`${listTable([t('adminAudit.when'), t('console.scim.request'), t('console.people.status'), t('console.traces.outcome')], requests.map((r) => [when(r.at), html`<code>${r.method} ${r.path}</code>`, String(r.status), r.code ? tHtml('console.scim.refused', { code: html`<code>${r.code}</code>` }) : t('console.scim.done')]), { card: false })}` : html`<p class="muted">${t('console.scim.noRequests')}</p>`}</section>`);
}
