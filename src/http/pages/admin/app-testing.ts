import type { AuthApp } from '../../../core/apps.ts';
import type { TokenCheckReport } from '../../../protocols/jwt/token-check.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { errorMessage } from '../../../i18n/error-messages.ts';
import { isMessageKey, t } from '../../../i18n/t.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { html, type SafeHtml } from '../../html.ts';
import { currentPage } from '../../page-context.ts';
import type { TestSignInReport } from '../../test-sign-in.ts';
import { confirmLink, consolePage, csrfField, listTable, textArea, when, type ConsoleFrame } from './blocks.ts';

// Testing an app beyond its Test (docs/ADMIN-CONSOLE.md, "Testing an app"): a JWT app's pasted
// token, its shared secret regenerated, and the report of a test sign-in.

type Line = { name: string; label: string; state: 'passed' | 'failed' | 'skipped'; detail: string };

const STATE_WORD = { passed: 'apps.state.passed', failed: 'apps.state.failed', skipped: 'apps.state.skipped' } as const;

/**
 * A check's name in the page's language: in English the label the check came with (the API
 * answers the same words), in another language the message `<prefix><name>` when there is one.
 */
export function checkName(prefix: string, name: string, english: string): string {
  const key = `${prefix}${name}`;
  return currentPage().language !== 'en' && isMessageKey(key) ? t(key) : english;
}

// The details the checks write themselves, always the same words (a cause from the service or the network stays as it came).
const FIXED_DETAILS: Readonly<Record<string, 'apps.notChecked' | 'apps.notReached'>> = {
  'not checked: the verifier stops at the first failure': 'apps.notChecked',
  'not reached': 'apps.notReached',
};
const detailOf = (detail: string) => (currentPage().language !== 'en' && FIXED_DETAILS[detail] ? t(FIXED_DETAILS[detail]) : detail);

// The fixed details of a test sign-in's own checks (test-sign-in.ts).
const SIGN_IN_DETAILS: Readonly<Record<string, MessageKey>> = {
  allowed: 'apps.detail.allowed',
  'new accounts may be created through this app': 'apps.detail.registrationOpen',
  'no new accounts through this app (existing ones may still sign in)': 'apps.detail.registrationClosed',
};
function signInDetail(report: TestSignInReport, line: Line): string {
  if (currentPage().language === 'en') return line.detail;
  if (line.name === 'account' && line.detail === report.account.message) return accountText(report.account);
  if (line.name === 'second_factor' && line.detail === report.secondFactor) return secondFactorText(line.detail);
  const answer = /^verified by the (\w+) sign-in, as for every sign-in$/.exec(line.detail);
  if (answer) return t('apps.detail.answerVerified', { type: answer[1]! });
  return SIGN_IN_DETAILS[line.detail] ? t(SIGN_IN_DETAILS[line.detail]!) : detailOf(line.detail);
}

// The second factor a test sign-in would ask for: one of a few fixed sentences (test-sign-in.ts).
const SECOND_FACTOR: Readonly<Record<string, MessageKey>> = {
  'not asked: this app trusts the identity service\'s own multi-factor authentication (trustProviderMfa)': 'apps.secondFactor.trustsProvider',
  'asked: they have a second factor set up': 'apps.secondFactor.enrolled',
  'they must set up a second factor before the session is theirs': 'apps.secondFactor.required',
  'optional for now: the grace period to set one up is still running': 'apps.secondFactor.grace',
  'not asked: no second factor is set up or required': 'apps.secondFactor.optional',
};
function secondFactorText(text: string): string {
  if (currentPage().language === 'en') return text;
  return SECOND_FACTOR[text] ? t(SECOND_FACTOR[text]) : detailOf(text);
}

/**
 * What the sign-in would do with the account. The report is stored with its English sentence
 * (test-sign-in.ts); another language says it again from the outcome, the person and the code.
 */
function accountText(account: TestSignInReport['account']): string {
  if (currentPage().language === 'en') return account.message;
  const { outcome, person, code } = account;
  if ((outcome === 'signed_in' || outcome === 'linked') && person) return t(outcome === 'signed_in' ? 'apps.account.signedIn' : 'apps.account.linked', { name: person.name, email: person.email });
  const created = /^Would create a new account for (.+?)(, waiting for approval by an agent before it can sign in)?\.$/.exec(account.message);
  if (outcome === 'created' && created) return t('apps.account.created', { email: created[1]!, approval: created[2] ? 'yes' : 'no' });
  const refused = /^Would be refused \([^)]*\): (.*)$/s.exec(account.message);
  if (outcome === 'refused' && code && refused) return t('apps.account.refused', { code, message: errorMessage({ code, message: refused[1]! }) });
  if (outcome === 'refused' && code && account.message.startsWith('Not reached:')) return t('apps.account.notReached', { code });
  return account.message;
}

function checkList(lines: readonly Line[], prefix: 'apps.tokenCheck.' | 'apps.signInCheck.', detail: (line: Line) => string = (line) => detailOf(line.detail)): SafeHtml {
  return html`<ul class="checks">${lines.map((c) => html`<li class="${c.state === 'passed' ? 'ok' : c.state === 'failed' ? 'failed' : 'skipped'}" data-check="${c.name}"><strong>${t(STATE_WORD[c.state])}</strong> · ${checkName(prefix, c.name, c.label)}: ${detail(c)}</li>`)}</ul>`;
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
${checkList(report.checks, 'apps.signInCheck.', (line) => signInDetail(report, line))}</div></section>
${m ? html`<section class="card" aria-labelledby="map-h"><h2 id="map-h">${t('apps.report.mapsTo')}</h2>
<dl class="facts">
<dt>${t('apps.map.subject')}</dt><dd>${m.issuer ? tHtml('apps.report.at', { subject: html`<code>${m.subject}</code>`, issuer: html`<code>${m.issuer}</code>` }) : html`<code>${m.subject}</code>`}</dd>
<dt>${t('apps.map.email')}</dt><dd>${m.email ?? t('apps.none')}</dd>
<dt>${t('apps.report.emailTrusted')}</dt><dd>${t(m.emailTrusted ? 'apps.report.trustedYes' : m.emailVerifiedByService ? 'apps.report.trustedNotByApp' : 'apps.report.trustedNo')}</dd>
<dt>${t('apps.map.name')}</dt><dd>${m.name ?? t('apps.none')}</dd>
<dt>${t('apps.map.groups')}</dt><dd>${list(m.groups)}</dd>
<dt>${t('apps.report.usergroupsAdded')}</dt><dd>${list(m.usergroups)}</dd>
<dt>${t('apps.report.account')}</dt><dd>${accountText(report.account)}${person ? html` <a href="/admin/people/${report.app.audience}/${person.id}">${person.name}</a>` : ''}</dd>
<dt>${t('apps.report.secondFactor')}</dt><dd>${secondFactorText(report.secondFactor)}</dd>
</dl></section>` : html`<section class="card" aria-labelledby="map-h"><h2 id="map-h">${t('apps.report.mapsTo')}</h2><p>${t('apps.report.notReached')}</p></section>`}
<section class="card" aria-labelledby="claims-h"><h2 id="claims-h">${t('apps.report.received')}</h2>${claimsTable(report.claims)}</section>
<p><a href="/admin/apps/${report.app.id}">${t('apps.report.back', { name })}</a></p>`);
}
