import type { AuthApp } from '../../../core/apps.ts';
import type { SsoTrace } from '../../../core/sso-traces.ts';
import { html, type SafeHtml } from '../../html.ts';
import { consolePage, listTable, select, textInput, when, type ConsoleFrame } from './blocks.ts';

// The SSO traces section: one trace per SSO attempt, found by the id an error page showed or
// by filters, and one trace's facts and claims.

export type TraceList = {
  apps: readonly AuthApp[];
  filter: { appId: string | undefined; outcome: string | undefined; audience: string | undefined };
  traces: readonly SsoTrace[];
  next: URLSearchParams | undefined;
};

export function ssoTracesPage(frame: ConsoleFrame, { apps, filter, traces, next }: TraceList): SafeHtml {
  const { appId, outcome, audience } = filter;
  const appName = new Map(apps.map((a) => [a.id, a.name]));
  return consolePage(frame, 'SSO traces', 'sso-traces', html`<h1>SSO traces</h1>
<form class="filters card" method="get" action="/admin/sso-traces/find" role="search">
${textInput({}, 'id', 'Trace id (from an error page)', '')}<button type="submit" class="secondary">Open trace</button></form>
<form class="filters card" method="get" action="/admin/sso-traces">
${select({}, 'appId', 'App', appId ?? '', [['', 'any'], ...apps.filter((a) => a.type !== 'password').map((a) => [a.id, `${a.name} (${a.audience})`] as const)])}
${select({}, 'outcome', 'Outcome', outcome ?? '', [['', 'any'], ['success', 'success'], ['failure', 'failure'], ['pending', 'pending']])}
${select({}, 'audience', 'Audience', audience ?? '', [['', 'any'], ['users', 'Users'], ['agents', 'Agents']])}
<button type="submit" class="secondary">Filter</button></form>
${listTable(['Started', 'Trace', 'App', 'Outcome', 'Failed check'], traces.map((t) => [when(t.startedAt), html`<a href="/admin/sso-traces/${t.id}"><code>${t.id}</code></a>`, t.appId ? (appName.get(t.appId) ?? t.appId) : '', html`${t.outcome}${t.errorCode ? html` <code>${t.errorCode}</code>` : ''}`, t.failedCheck ?? '']))}
${traces.length === 0 ? html`<p class="muted">No traces match.</p>` : ''}
${next ? html`<p><a href="/admin/sso-traces?${next.toString()}">Older traces</a></p>` : ''}`);
}

export function ssoTracePage(frame: ConsoleFrame, t: SsoTrace, app: AuthApp | undefined): SafeHtml {
  return consolePage(frame, `Trace ${t.id}`, 'sso-traces', html`<h1>SSO trace <code>${t.id}</code></h1>
<dl class="facts card">
<dt>App</dt><dd>${app ? html`<a href="/admin/apps/${app.id}">${app.name}</a>` : (t.appId ?? '')}</dd>
<dt>Audience</dt><dd>${t.audience}</dd><dt>Started</dt><dd>${when(t.startedAt)}</dd><dt>Finished</dt><dd>${when(t.finishedAt)}</dd>
<dt>Outcome</dt><dd>${t.outcome}</dd><dt>Error code</dt><dd>${t.errorCode ? html`<code>${t.errorCode}</code>` : ''}</dd>
<dt>Failed check</dt><dd>${t.failedCheck ?? ''}</dd><dt>Detail</dt><dd>${t.detail ?? ''}</dd>
<dt>Clock skew</dt><dd>${t.clockSkewMs === null ? '' : `${t.clockSkewMs} ms`}</dd>
<dt>Person</dt><dd>${t.personId ? html`<a href="/admin/people/${t.audience}/${t.personId}">${t.personId}</a>` : ''}</dd><dt>Address</dt><dd>${t.ip ?? ''}</dd>
</dl>
${t.claims ? html`<section class="card"><h2>Claims received</h2><pre>${JSON.stringify(t.claims, null, 2)}</pre></section>` : ''}`);
}
