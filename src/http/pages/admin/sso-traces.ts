import type { AuthApp } from '../../../core/apps.ts';
import type { SsoTrace } from '../../../core/sso-traces.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { appDisplayName } from '../app-name.ts';
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
  const appName = new Map(apps.map((a) => [a.id, appDisplayName(a)]));
  return consolePage(frame, t('admin.section.ssoTraces'), 'sso-traces', html`<h1>${t('admin.section.ssoTraces')}</h1>
<form class="filters card" method="get" action="/admin/sso-traces/find" role="search">
${textInput({}, 'id', t('console.traces.idLabel'), '')}<button type="submit" class="secondary">${t('console.traces.open')}</button></form>
<form class="filters card" method="get" action="/admin/sso-traces">
${select({}, 'appId', t('console.traces.app'), appId ?? '', [['', t('adminAudit.any')], ...apps.filter((a) => a.type !== 'password').map((a) => [a.id, `${a.name} (${t('console.people.audience', { audience: a.audience })})`] as const)])}
${select({}, 'outcome', t('console.traces.outcome'), outcome ?? '', [['', t('adminAudit.any')], ['success', t('console.outcome', { outcome: 'success' })], ['failure', t('console.outcome', { outcome: 'failure' })], ['pending', t('console.outcome', { outcome: 'pending' })]])}
${select({}, 'audience', t('console.traces.audience'), audience ?? '', [['', t('adminAudit.any')], ['users', t('adminAudit.users')], ['agents', t('adminAudit.agents')]])}
<button type="submit" class="secondary">${t('adminAudit.filter')}</button></form>
${listTable([t('console.person.started'), t('console.traces.trace'), t('console.traces.app'), t('console.traces.outcome'), t('console.traces.failedCheck')], traces.map((tr) => [when(tr.startedAt), html`<a href="/admin/sso-traces/${tr.id}"><code>${tr.id}</code></a>`, tr.appId ? (appName.get(tr.appId) ?? tr.appId) : '', html`${t('console.outcome', { outcome: tr.outcome })}${tr.errorCode ? html` <code>${tr.errorCode}</code>` : ''}`, tr.failedCheck ?? '']))}
${traces.length === 0 ? html`<p class="muted">${t('console.traces.none')}</p>` : ''}
${next ? html`<p><a href="/admin/sso-traces?${next.toString()}">${t('console.traces.older')}</a></p>` : ''}`);
}

export function ssoTracePage(frame: ConsoleFrame, trace: SsoTrace, app: AuthApp | undefined): SafeHtml {
  const tr = trace;
  return consolePage(frame, t('console.traces.traceTitle', { id: tr.id }), 'sso-traces', html`<h1>${tHtml('console.traces.traceHeading', { id: html`<code>${tr.id}</code>` })}</h1>
<dl class="facts card">
<dt>${t('console.traces.app')}</dt><dd>${app ? html`<a href="/admin/apps/${app.id}">${appDisplayName(app)}</a>` : (tr.appId ?? '')}</dd>
<dt>${t('console.traces.audience')}</dt><dd>${t('console.people.audience', { audience: tr.audience })}</dd><dt>${t('console.person.started')}</dt><dd>${when(tr.startedAt)}</dd><dt>${t('console.traces.finished')}</dt><dd>${when(tr.finishedAt)}</dd>
<dt>${t('console.traces.outcome')}</dt><dd>${t('console.outcome', { outcome: tr.outcome })}</dd><dt>${t('console.traces.errorCode')}</dt><dd>${tr.errorCode ? html`<code>${tr.errorCode}</code>` : ''}</dd>
<dt>${t('console.traces.failedCheck')}</dt><dd>${tr.failedCheck ?? ''}</dd><dt>${t('console.traces.detail')}</dt><dd>${tr.detail ?? ''}</dd>
<dt>${t('console.traces.clockSkew')}</dt><dd>${tr.clockSkewMs === null ? '' : `${tr.clockSkewMs} ms`}</dd>
<dt>${t('console.traces.person')}</dt><dd>${tr.personId ? html`<a href="/admin/people/${tr.audience}/${tr.personId}">${tr.personId}</a>` : ''}</dd><dt>${t('console.person.address')}</dt><dd>${tr.ip ?? ''}</dd>
</dl>
${tr.claims ? html`<section class="card"><h2>${t('console.traces.claims')}</h2><pre>${JSON.stringify(tr.claims, null, 2)}</pre></section>` : ''}`);
}
