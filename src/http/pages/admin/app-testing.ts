import type { AuthApp } from '../../../core/apps.ts';
import type { TokenCheckReport } from '../../../protocols/jwt/token-check.ts';
import { storedDetailText, type CheckMessage } from '../../../i18n/check-details.ts';
import { isMessageKey, t } from '../../../i18n/t.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { html, type SafeHtml } from '../../html.ts';
import { currentPage } from '../../page-context.ts';
import type { TestSignInReport } from '../../test-sign-in.ts';
import { confirmLink, consolePage, csrfField, listTable, textArea, when, type ConsoleFrame } from './blocks.ts';

// Testing an app beyond its Test (docs/ADMIN-CONSOLE.md, "Testing an app"): a JWT app's pasted
// token, its shared secret regenerated, and the report of a test sign-in.

type Line = { name: string; label: string; state: 'passed' | 'failed' | 'skipped'; detail: string; message?: CheckMessage | undefined };

const STATE_WORD = { passed: 'apps.state.passed', failed: 'apps.state.failed', skipped: 'apps.state.skipped' } as const;

/**
 * A check's name in the page's language: in English the label the check came with (the API
 * answers the same words), in another language the message `<prefix><name>` when there is one.
 * A SAML app's certificates are numbered checks (`idp_certificate_2`): one message, the number.
 */
export function checkName(prefix: string, name: string, english: string): string {
  if (currentPage().language === 'en') return english;
  const key = `${prefix}${name}`;
  if (isMessageKey(key)) return t(key);
  const numbered = /^(.*)_(\d+)$/.exec(name);
  const family = numbered ? `${prefix}${numbered[1]}` : '';
  return numbered && isMessageKey(family) ? t(family, { number: Number(numbered[2]) }) : english;
}

/** A check's detail in the page's language: its message, or the English it was stored with (an earlier version's report). */
export const detailText = (check: { detail: string; message?: CheckMessage | undefined }) => storedDetailText(check.message, check.detail, currentPage().language);

/** A stored sentence of a test sign-in report: a message, or an earlier version's English. */
const reportText = (stored: CheckMessage | string) => storedDetailText(stored, typeof stored === 'string' ? stored : '', currentPage().language);

function checkList(lines: readonly Line[], prefix: 'apps.tokenCheck.' | 'apps.signInCheck.'): SafeHtml {
  return html`<ul class="checks">${lines.map((c) => html`<li class="${c.state === 'passed' ? 'ok' : c.state === 'failed' ? 'failed' : 'skipped'}" data-check="${c.name}"><strong>${t(STATE_WORD[c.state])}</strong> · ${checkName(prefix, c.name, c.label)}: ${detailText(c)}</li>`)}</ul>`;
}

function claimsTable(claims: Record<string, unknown> | undefined): SafeHtml {
  if (!claims || Object.keys(claims).length === 0) return html`<p class="muted">${t('apps.claims.none')}</p>`;
  return listTable([t('apps.claims.claim'), t('apps.claims.value')], Object.entries(claims).map(([name, value]) => [html`<code>${name}</code>`, html`<code>${JSON.stringify(value)}</code>`]), { card: false });
}

const list = (values: readonly string[]) => (values.length ? values.join(', ') : t('apps.none'));

/** The pasted-token form of a JWT app's Test section, and its report when there is one. */
export function tokenCheckSection(app: AuthApp, csrf: string, report: TokenCheckReport | undefined): SafeHtml {
  return html`<form class="stack" method="post" action="/admin/apps/${app.id}/test-token">${csrfField(csrf)}
${textArea({}, 'token', t('apps.token.label'), '', { rows: 4, hint: t('apps.token.hint') })}
<button type="submit" class="secondary">${t('apps.token.submit')}</button></form>
${report ? tokenReport(report) : ''}`;
}

function tokenReport(report: TokenCheckReport): SafeHtml {
  const profile = report.profile;
  return html`<div class="${report.ok ? 'notice' : 'error'}" role="status" id="token-report"><p><strong>${report.ok ? t('apps.token.passes') : tHtml('apps.token.refused', { code: html`<code>${report.code ?? ''}</code>` })}</strong></p>
${checkList(report.checks, 'apps.tokenCheck.')}</div>
<h3>${t('apps.token.claims')}${report.verified ? '' : html` <span class="muted">${t('apps.token.notVerified')}</span>`}</h3>
${claimsTable(report.claims)}
${profile ? html`<h3>${t('apps.map.title')}</h3>
<dl class="facts"><dt>${t('apps.map.subject')}</dt><dd><code>${profile.subject}</code></dd><dt>${t('apps.map.email')}</dt><dd>${t('apps.map.emailAsserted', { email: profile.email ?? t('apps.none') })}</dd>
<dt>${t('apps.map.name')}</dt><dd>${profile.name ?? t('apps.none')}</dd><dt>${t('apps.map.groups')}</dt><dd>${list(profile.groups)}</dd>
${profile.usergroupNames ? html`<dt>${t('apps.map.usergroupsNamed')}</dt><dd>${list(profile.usergroupNames)}</dd>` : ''}</dl>` : ''}`;
}

/** The shared secret section of an HS256 JWT app: regenerate it (confirmed first). */
export function sharedSecretSection(app: AuthApp): SafeHtml {
  return html`<section class="card" aria-labelledby="secret-h"><h2 id="secret-h">${t('apps.secret.title')}</h2>
<p>${t('apps.secret.text')}</p>
${confirmLink(`/admin/apps/${app.id}/regenerate-secret`, t('apps.secret.regenerate'))}</section>`;
}

/** The report of a test sign-in: what arrived, what it maps to, what passed; nothing was signed in. */
export function testSignInReportPage(frame: ConsoleFrame, report: TestSignInReport): SafeHtml {
  const m = report.mapping;
  const person = report.account.person;
  const name = report.app.name;
  return consolePage(frame, t('apps.report.title', { name }), 'apps', html`<h1>${t('apps.report.title', { name })}</h1>
<p class="muted">${tHtml('apps.report.meta', { when: when(report.finishedAt), trace: html`<a href="/admin/sso-traces/${report.traceId}"><code>${report.traceId}</code></a>` })}</p>
<section class="card" aria-labelledby="checks-h"><h2 id="checks-h">${t('apps.report.checks')}</h2>
<div class="${report.ok ? 'notice' : 'error'}" role="status"><p><strong>${t(report.ok ? 'apps.report.wouldSucceed' : 'apps.report.wouldBeRefused')}</strong></p>
${checkList(report.checks, 'apps.signInCheck.')}</div></section>
${m ? html`<section class="card" aria-labelledby="map-h"><h2 id="map-h">${t('apps.report.mapsTo')}</h2>
<dl class="facts">
<dt>${t('apps.map.subject')}</dt><dd>${m.issuer ? tHtml('apps.report.at', { subject: html`<code>${m.subject}</code>`, issuer: html`<code>${m.issuer}</code>` }) : html`<code>${m.subject}</code>`}</dd>
<dt>${t('apps.map.email')}</dt><dd>${m.email ?? t('apps.none')}</dd>
<dt>${t('apps.report.emailTrusted')}</dt><dd>${t(m.emailTrusted ? 'apps.report.trustedYes' : m.emailVerifiedByService ? 'apps.report.trustedNotByApp' : 'apps.report.trustedNo')}</dd>
<dt>${t('apps.map.name')}</dt><dd>${m.name ?? t('apps.none')}</dd>
<dt>${t('apps.map.groups')}</dt><dd>${list(m.groups)}</dd>
<dt>${t('apps.report.usergroupsAdded')}</dt><dd>${list(m.usergroups)}</dd>
<dt>${t('apps.report.account')}</dt><dd>${reportText(report.account.message)}${person ? html` <a href="/admin/people/${report.app.audience}/${person.id}">${person.name}</a>` : ''}</dd>
<dt>${t('apps.report.secondFactor')}</dt><dd>${reportText(report.secondFactor)}</dd>
</dl></section>` : html`<section class="card" aria-labelledby="map-h"><h2 id="map-h">${t('apps.report.mapsTo')}</h2><p>${t('apps.report.notReached')}</p></section>`}
<section class="card" aria-labelledby="claims-h"><h2 id="claims-h">${t('apps.report.received')}</h2>${claimsTable(report.claims)}</section>
<p><a href="/admin/apps/${report.app.id}">${t('apps.report.back', { name })}</a></p>`);
}
