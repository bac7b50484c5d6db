import type { AppType } from '../../../core/app-config.ts';
import { isHmacAlgorithm } from '../../../protocols/jwt/config.ts';
import type { TokenCheckReport } from '../../../protocols/jwt/token-check.ts';
import { checkName, detailText, sharedSecretSection, tokenCheckSection } from './app-testing.ts';
import { defaultAppName } from '../../../protocols/registry.ts';
import { appDisplayName } from '../app-name.ts';
import type { AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import type { SsoTrace } from '../../../core/sso-traces.ts';
import type { AppTestReport } from '../../app-test.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { catalogueCards, catalogueEntryOf } from './app-catalogue.ts';
import { configFields } from './app-config-fields.ts';
import { copyLabels } from './app-copy-values.ts';
import { trustFields } from './app-trust-fields.ts';
import {
  actionButton, checkbox, confirmLink, CONSOLE_AUDIENCES, consolePage, copyList, listTable, csrfField, ssoBadge, textInput, when, yesNo,
  type ConsoleFrame, type ViewState,
} from './blocks.ts';

// The Auth apps section: the list, the catalogue, an app's page and the switch to Automatic.

type Group = { id: string; name: string };

export function appsListPage(frame: ConsoleFrame, all: readonly AuthApp[], articlesExist: boolean): SafeHtml {
  const table = (audience: Audience) => {
    const apps = all.filter((a) => a.audience === audience);
    return html`<section class="card" aria-labelledby="apps-${audience}"><h2 id="apps-${audience}">${t(`admin.audience.${audience}`)}</h2>
${listTable([t('apps.col.name'), t('apps.col.type'), t('apps.col.enabled'), t('apps.col.ssoMode'), t('apps.col.order')], apps.map((a) => ({
  className: a.sso === 'automatic' ? 'automatic' : '',
  cells: [html`<a href="/admin/apps/${a.id}">${appDisplayName(a)}</a>${a.sso === 'automatic' ? html` <strong>${t('apps.theAutomaticApp')}</strong>` : ''}`, a.type, yesNo(a.enabled), ssoBadge(a), a.displayOrder],
})), { card: false })}</section>`;
  };
  return consolePage(frame, t('apps.title'), 'apps', html`<h1>${t('apps.title')}</h1>
${welcomeSteps(all, articlesExist)}
<p><a class="button" href="/admin/apps/new">${t('apps.add')}</a></p>
${table('users')}${table('agents')}`);
}

/** What the install page was asked for: the audience, and once a card is chosen its type and mode. */
export type CatalogueChoice = { audience: Audience; type: AppType | undefined; protocol: 'saml' | undefined };

// The catalogue: cards for the audience chosen, then the form of the card chosen.
export function cataloguePage(
  frame: ConsoleFrame, chosen: CatalogueChoice, usergroups: Group[],
  install: { slug: string; copy: Record<string, string>; /** SAML: the sealed SP key pair whose certificate is shown. */ spKeyOffer?: string | undefined } | undefined,
): SafeHtml {
  const { audience, type, protocol } = chosen;
  if (!type || !install) {
    return consolePage(frame, t('apps.add'), 'apps', html`<h1>${t('apps.add')}</h1>
<nav class="card" aria-label="${t('apps.catalogue.whoSignsIn')}"><p>${t('apps.catalogue.whoSignsInWith')}
${CONSOLE_AUDIENCES.map((a) => html` <a href="/admin/apps/new?audience=${a}"${a === audience ? html` aria-current="true"` : ''}>${t(`admin.audience.${a}`)}</a>`)}</p></nav>
${catalogueCards(audience)}`);
  }
  const name = catalogueEntryOf(type, protocol)?.name ?? defaultAppName(type);
  const config = protocol ? { protocol } : {};
  return consolePage(frame, t('apps.install.title', { name }), 'apps', html`<h1>${t('apps.install.heading', { name, audience: t(`admin.audience.${audience}`) })}</h1>
<p><a href="/admin/apps/new?audience=${audience}">${t('apps.install.back')}</a></p>
<form class="stack card" method="post" action="/admin/apps" data-validate="/admin/apps/validate" novalidate>
${csrfField(frame.csrf)}<input type="hidden" name="audience" value="${audience}"><input type="hidden" name="type" value="${type}">
${install.spKeyOffer ? html`<input type="hidden" name="spKeyOffer" value="${install.spKeyOffer}">` : ''}
${textInput(frame.state, 'slug', t('apps.install.slug'), install.slug, { hint: t('apps.install.slugHint') })}
${copySection(install.copy, type, protocol)}
${appFields(frame.state, undefined, type, { audience, usergroups, config })}
${problemCount()}
<button type="submit">${t('apps.install.submit')}</button></form>`);
}

/** The values the identity service asks for, before and after install. */
function copySection(values: Record<string, string>, type: AppType, protocol: string | undefined): SafeHtml {
  const saml = type === 'saml' || protocol === 'saml';
  return html`<section class="copy-values" aria-labelledby="copy-h"><h2 id="copy-h">${t('apps.copy.title')}</h2>${copyList(values, copyLabels())}
${saml && values.spCertificate ? html`<p class="muted">${t('apps.copy.samlNote')}</p>` : ''}
${type === 'jwt' ? html`<p class="muted">${t('apps.copy.jwtNote')}</p><p class="notice">${t('apps.copy.jwtEmailTrust')}</p>` : ''}
</section>`;
}

/** Announces the number of problems found as you type, once per change, not once per field. */
// console.js announces the count in the page's language: the three sentences travel with the element.
const problemCount = () => html`<p class="visually-hidden" role="status" data-problem-count data-none="${t('apps.problems.none')}" data-one="${t('apps.problems.one')}" data-many="${t('apps.problems.many', { count: '{count}' })}"></p>`;

export type AppDetail = {
  app: AuthApp;
  urls: Record<string, string> | undefined;
  lastSuccess: SsoTrace | undefined;
  usergroups: Group[];
  sharedSecret?: string | undefined;
  /** The shared secret was regenerated: shown to this admin session for 15 minutes. */
  regenerated?: { until: string } | undefined;
  report?: AppTestReport | undefined;
  /** A pasted JWT's report (JWT apps). */
  tokenReport?: TokenCheckReport | undefined;
  /** The protocol has a test sign-in that reports instead of signing in. */
  testSignIn: boolean;
  /** A protocol's own section (an LDAP app's directory sync), after the Test. */
  extraSection?: SafeHtml | undefined;
};

export function appDetailPage(frame: ConsoleFrame, detail: AppDetail): SafeHtml {
  const { app, urls, lastSuccess, usergroups } = detail;
  const { csrf, state } = frame;
  const external = app.type !== 'password';
  return consolePage(frame, appDisplayName(app), 'apps', html`<h1>${appDisplayName(app)}</h1>
<p class="muted">${t(`admin.audience.${app.audience}`)} · ${tHtml('apps.detail.meta', { type: html`<code>${app.type}</code>`, slug: html`<code>${app.slug}</code>`, state: t(app.enabled ? 'apps.detail.enabled' : 'apps.detail.turnedOff') })} · ${ssoBadge(app)}</p>
${detail.sharedSecret ? html`<div class="notice" role="status"><p><strong>${detail.regenerated ? t('apps.detail.newSecret', { until: when(detail.regenerated.until) }) : t('apps.detail.secretOnce')}</strong> ${t('apps.detail.giveSecret')}</p>${copyList({ sharedSecret: detail.sharedSecret }, { sharedSecret: t('apps.copy.sharedSecret') })}</div>` : ''}
${urls && Object.keys(urls).length ? html`<div class="card">${copySection(urls, app.type, typeof app.config.protocol === 'string' ? app.config.protocol : undefined)}</div>` : ''}
${external ? html`<section class="card" aria-labelledby="test-h"><h2 id="test-h">${t('apps.test.title')}</h2>
<p>${tHtml('apps.test.intro', { test: html`<strong>${t('apps.test.introTest')}</strong>`, testSignIn: html`<strong>${t('apps.test.introTestSignIn')}</strong>` })}</p>
${actionButton(`/admin/apps/${app.id}/test`, csrf, t('apps.test.button'))}
${testSignInButton(app, csrf, detail.testSignIn)}
<p class="muted">${lastSuccess ? tHtml('apps.test.lastSuccess', { when: when(lastSuccess.finishedAt), trace: html`<a href="/admin/sso-traces/${lastSuccess.id}"><code>${lastSuccess.id}</code></a>` }) : t('apps.test.noSuccess')}</p>
${detail.report ? testReport(detail.report) : ''}
${app.type === 'jwt' ? tokenCheckSection(app, csrf, detail.tokenReport) : ''}</section>
${app.type === 'jwt' && jwtUsesSharedSecret(app) ? sharedSecretSection(app) : ''}
${detail.extraSection ?? ''}
<section class="card" aria-labelledby="sso-h"><h2 id="sso-h">${t('apps.sso.title')}</h2>
${app.sso === 'automatic'
  ? html`<p>${tHtml('apps.sso.isAutomatic', { automatic: html`<strong>${t('apps.sso.automatic')}</strong>`, audience: app.audience })}</p>${actionButton(`/admin/apps/${app.id}/sso`, csrf, t('apps.sso.turnOff'), { fields: { sso: 'disabled' } })}`
  : html`<p>${t('apps.sso.disabled', { button: app.showButton ? 'yes' : 'no' })}</p><p><a href="/admin/apps/${app.id}/automatic">${t('apps.sso.makeAutomatic')}</a></p>`}
</section>` : detail.report ? testReport(detail.report) : ''}
<section class="card" aria-labelledby="edit-h"><h2 id="edit-h">${t('apps.settings.title')}</h2>
<form class="stack" method="post" action="/admin/apps/${app.id}"${external ? html` data-validate="/admin/apps/validate" novalidate` : ''}>${csrfField(csrf)}
${external ? html`<input type="hidden" name="appId" value="${app.id}">` : ''}
${appFields(state, app, app.type, { audience: app.audience, usergroups, config: app.config })}
${problemCount()}
<button type="submit">${t('apps.settings.save')}</button></form></section>
${app.type !== 'password' ? html`<section class="card" aria-labelledby="remove-h"><h2 id="remove-h">${t('apps.remove.title')}</h2><p>${t('apps.remove.text')}</p>${confirmLink(`/admin/apps/${app.id}/remove`, t('apps.remove.button'))}</section>` : ''}`);
}

/**
 * Opens the app's sign-in in a new tab through a console POST (a one-time ticket for this
 * admin session); it ends on a report, never signing this browser in as the test person.
 */
function testSignInButton(app: AuthApp, csrf: string, supported: boolean): SafeHtml {
  if (!supported) return html`<span class="muted">${t('apps.testSignIn.none')}</span>`;
  if (!app.enabled) return html`<span class="muted">${t('apps.testSignIn.enableFirst')}</span>`;
  return html`<form class="inline" method="post" action="/admin/apps/${app.id}/test-sign-in" target="_blank">${csrfField(csrf)}<button type="submit" class="secondary">${t('apps.testSignIn.button')}</button></form>
<span class="muted">${t('apps.testSignIn.newTab')}</span>`;
}

const jwtUsesSharedSecret = (app: AuthApp) => Array.isArray(app.config.algorithms) && app.config.algorithms.some((a) => typeof a === 'string' && isHmacAlgorithm(a));

/** What switching to Automatic does, and the button only once a test sign-in succeeded. */
export function automaticPage(frame: ConsoleFrame, app: AuthApp, current: AuthApp | undefined, success: SsoTrace | undefined): SafeHtml {
  const name = app.name;
  return consolePage(frame, t('apps.automatic.title', { name }), 'apps', html`<h1>${t('apps.automatic.heading', { name })}</h1>
<div class="card"><p>${t('apps.automatic.intro', { audience: app.audience, name })}</p>
<ul>
${app.audience === 'users' ? html`<li><strong>${t('apps.automatic.usersHidden')}</strong>${t('apps.automatic.usersHiddenRest', { name })}</li>` : html`<li>${tHtml('apps.automatic.agents', { door: html`<code>/agent/login?local=1</code>` })}</li>`}
<li>${current && current.id !== app.id ? tHtml('apps.automatic.demotes', { name: html`<strong>${current.name}</strong>` }) : t('apps.automatic.noOther')}</li>
<li><strong>${t('apps.automatic.everyone', { name })}</strong>${t('apps.automatic.everyoneRest')}</li>
</ul>
${success
  ? html`<p>${t('apps.automatic.succeeded', { when: when(success.finishedAt) })}</p>
<form method="post" action="/admin/apps/${app.id}/automatic">${csrfField(frame.csrf)}<input type="hidden" name="confirm" value="yes"><button type="submit">${t('apps.automatic.confirm')}</button></form>`
  : html`<p class="error">${tHtml('apps.automatic.notYet', { link: html`<a href="/admin/apps/${app.id}">${t('apps.automatic.itsPage')}</a>` })}</p>`}
<p><a href="/admin/apps/${app.id}">${t('apps.automatic.cancel')}</a></p></div>`);
}

/**
 * The Test's report: each check under its name and with its detail in the page's language; what
 * the service or the network answered (an address, an error text) stays inside it as it came.
 */
function testReport(report: AppTestReport): SafeHtml {
  return html`<div class="${report.ok ? 'notice' : 'error'}" role="status"><p><strong>${t(report.ok ? 'apps.test.allPassed' : 'apps.test.someFailed')}</strong></p>
<ul class="checks">${report.checks.map((c) => html`<li class="${c.ok ? 'ok' : 'failed'}" data-check="${c.name}"><strong>${t(c.ok ? 'apps.test.ok' : 'apps.test.failed')}</strong> · ${checkName('apps.check.', c.name, c.name)}: ${detailText(c)}</li>`)}</ul></div>`;
}

// --- The per-type form of an auth app ---------------------------------------------------------

function appFields(state: ViewState, app: AuthApp | undefined, type: AppType, context: { audience: Audience; usergroups: Group[]; config: Record<string, unknown> }): SafeHtml {
  const config = context.config;
  const external = type !== 'password';
  return html`${textInput(state, 'name', t('apps.form.name'), app?.name ?? defaultAppName(type), { required: true, hint: t('apps.form.nameHint') })}
${checkbox(state, 'enabled', t('apps.form.enabled'), app?.enabled ?? true, { hint: t('apps.form.enabledHint') })}
${external ? html`${checkbox(state, 'showButton', t('apps.form.showButton'), app?.showButton ?? true)}
${textInput(state, 'config.buttonText', t('apps.form.buttonText'), typeof config.buttonText === 'string' ? config.buttonText : '', { placeholder: t('apps.form.buttonTextPlaceholder', { name: app?.name ?? defaultAppName(type) }), hint: t('apps.form.buttonTextHint') })}` : ''}
${textInput(state, 'displayOrder', t('apps.form.displayOrder'), String(app?.displayOrder ?? 0), { type: 'number', min: -1000, max: 1000, hint: t('apps.form.displayOrderHint') })}
${external ? configFields(state, { type, config, app }) : ''}
${external ? trustFields(state, { audience: context.audience, type, config: app?.config, usergroups: context.usergroups }) : ''}`;
}

/**
 * The console's first page says what to do next until it is done: an auth app beyond the
 * built-in email and password, and a first article. Each step is checked off by what exists,
 * so the card goes away by itself (nothing to dismiss, nothing stored).
 */
export function welcomeSteps(apps: readonly AuthApp[], articlesExist: boolean): SafeHtml {
  const steps = [
    { done: apps.some((a) => a.type !== 'password'), html: tHtml('apps.welcome.installApp', { link: html`<a href="/admin/apps/new">${t('apps.welcome.installAppLink')}</a>` }) },
    { done: articlesExist, html: tHtml('apps.welcome.addArticles', { link: html`<a href="/admin/articles/new">${t('apps.welcome.addArticlesLink')}</a>` }) },
  ];
  if (steps.every((s) => s.done)) return html``;
  return html`<section class="card welcome" aria-labelledby="welcome"><h2 id="welcome">${t('apps.welcome.title')}</h2>
<ol>${steps.map((s) => html`<li>${s.done ? html`<s>${s.html}</s> <strong>${t('apps.welcome.done')}</strong>` : s.html}</li>`)}</ol>
<p class="muted">${t('apps.welcome.goesAway')}</p></section>`;
}
