import type { ScimConnection, ScimRequestRecord } from '../../../provisioning/scim/connections.ts';
import { html, type SafeHtml } from '../../html.ts';
import { confirmLink, consolePage, listTable, copyList, csrfField, select, textInput, when, type ConsoleFrame } from './blocks.ts';

// The SCIM connections section of the console (docs/SCIM.md): the list, the form that makes
// one, the URL and token shown once, and a connection's last requests with their outcome.

const AUDIENCE_LABEL = { users: 'Users (Help Center)', agents: 'Agents (agent console)' } as const;

export type CreatedConnection = { connection: ScimConnection; token: string; baseUrl: string };

export function scimConnectionsPage(frame: ConsoleFrame, connections: readonly ScimConnection[], created?: CreatedConnection): SafeHtml {
  const { csrf, state } = frame;
  return consolePage(frame, 'SCIM provisioning', 'scim', html`<h1>SCIM provisioning</h1>
<p>An identity service (Okta, Microsoft Entra) creates, updates, deactivates and removes people of one audience, and keeps usergroups and their members, through SCIM 2.0. Give it the base URL and the token of a connection.</p>
${created ? html`<div class="notice" role="status"><p><strong>The connection “${created.connection.name}”: its token, shown this once.</strong> Copy both now; only the token’s hash is kept.</p>
${copyList({ url: created.baseUrl, token: created.token }, { url: 'SCIM base URL (tenant URL)', token: 'Bearer token (secret token)' })}</div>` : ''}
${listTable(['Name', 'Audience', 'Created', 'Last used', 'State'], connections.map((c) => [html`<a href="/admin/scim/${c.id}">${c.name}</a>`, AUDIENCE_LABEL[c.audience], when(c.createdAt), when(c.lastUsedAt) || 'never', c.revoked ? 'revoked' : confirmLink(`/admin/scim/${c.id}/revoke`, `Revoke ${c.name}`)]))}
<form class="stack card" method="post" action="/admin/scim">${csrfField(csrf)}<h2>New SCIM connection</h2>
${textInput(state, 'name', 'Name (the identity service)', '', { required: true, placeholder: 'Okta' })}
${select(state, 'audience', 'Who it provisions', 'users', [['users', AUDIENCE_LABEL.users], ['agents', AUDIENCE_LABEL.agents]], 'Agents it creates are never admins; Groups are usergroups, for Users only.')}
<button type="submit">Create connection</button></form>`);
}

export function scimConnectionPage(frame: ConsoleFrame, connection: ScimConnection, requests: readonly ScimRequestRecord[], baseUrl: string): SafeHtml {
  return consolePage(frame, `SCIM connection ${connection.name}`, 'scim', html`<h1>SCIM connection “${connection.name}”</h1>
<p><a href="/admin/scim">All SCIM connections</a></p>
<section class="card"><h2>Setup</h2>${copyList({ url: baseUrl }, { url: 'SCIM base URL (tenant URL)' })}
<p>Audience: ${AUDIENCE_LABEL[connection.audience]} · created ${when(connection.createdAt)} · last used ${when(connection.lastUsedAt) || 'never'} · ${connection.revoked ? 'revoked' : 'live'}</p>
${connection.revoked ? '' : confirmLink(`/admin/scim/${connection.id}/revoke`, 'Revoke this connection')}</section>
<section class="card" aria-labelledby="scim-requests"><h2 id="scim-requests">Last requests</h2>
${requests.length ? html`${listTable(['When', 'Request', 'Status', 'Outcome'], requests.map((r) => [when(r.at), html`<code>${r.method} ${r.path}</code>`, String(r.status), r.code ? html`refused: <code>${r.code}</code>` : 'done']), { card: false })}` : html`<p class="muted">No requests yet.</p>`}</section>`);
}
