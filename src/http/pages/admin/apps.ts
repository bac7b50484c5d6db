import type { AppType } from '../../../core/app-config.ts';
import { isHmacAlgorithm } from '../../../protocols/jwt/config.ts';
import type { TokenCheckReport } from '../../../protocols/jwt/token-check.ts';
import { sharedSecretSection, tokenCheckSection } from './app-testing.ts';
import { defaultAppName } from '../../../protocols/registry.ts';
import type { AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import type { SsoTrace } from '../../../core/sso-traces.ts';
import { JWT_EMAIL_TRUST } from '../../../protocols/jwt/profile.ts';
import type { AppTestReport } from '../../app-test.ts';
import { html, type SafeHtml } from '../../html.ts';
import { catalogueCards, catalogueEntryOf } from './app-catalogue.ts';
import { configFields } from './app-config-fields.ts';
import { COPY_LABELS } from './app-copy-values.ts';
import { trustFields } from './app-trust-fields.ts';
import {
  actionButton, AUDIENCE_LABEL, checkbox, confirmLink, CONSOLE_AUDIENCES, consolePage, copyList, listTable, csrfField, ssoBadge, textInput, when, yesNo,
  type ConsoleFrame, type ViewState,
} from './blocks.ts';

// The Auth apps section: the list, the catalogue, an app's page and the switch to Automatic.

type Group = { id: string; name: string };

export function appsListPage(frame: ConsoleFrame, all: readonly AuthApp[], articlesExist: boolean): SafeHtml {
  const table = (audience: Audience) => {
    const apps = all.filter((a) => a.audience === audience);
    return html`<section class="card" aria-labelledby="apps-${audience}"><h2 id="apps-${audience}">${AUDIENCE_LABEL[audience]}</h2>
${listTable(['Name', 'Type', 'Enabled', 'SSO mode', 'Order'], apps.map((a) => ({
  className: a.sso === 'automatic' ? 'automatic' : '',
  cells: [html`<a href="/admin/apps/${a.id}">${a.name}</a>${a.sso === 'automatic' ? html` <strong>(the Automatic app)</strong>` : ''}`, a.type, yesNo(a.enabled), ssoBadge(a), a.displayOrder],
})), { card: false })}</section>`;
  };
  return consolePage(frame, 'Auth apps', 'apps', html`<h1>Auth apps</h1>
${welcomeSteps(all, articlesExist)}
<p><a class="button" href="/admin/apps/new">Add an app</a></p>
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
    return consolePage(frame, 'Add an app', 'apps', html`<h1>Add an app</h1>
<nav class="card" aria-label="Who signs in"><p>Who signs in with it:
${CONSOLE_AUDIENCES.map((a) => html` <a href="/admin/apps/new?audience=${a}"${a === audience ? html` aria-current="true"` : ''}>${AUDIENCE_LABEL[a]}</a>`)}</p></nav>
${catalogueCards(audience)}`);
  }
  const name = catalogueEntryOf(type, protocol)?.name ?? defaultAppName(type);
  const config = protocol ? { protocol } : {};
  return consolePage(frame, `Add ${name}`, 'apps', html`<h1>Add ${name} for ${AUDIENCE_LABEL[audience]}</h1>
<p><a href="/admin/apps/new?audience=${audience}">Back to the catalogue</a></p>
<form class="stack card" method="post" action="/admin/apps" data-validate="/admin/apps/validate" novalidate>
${csrfField(frame.csrf)}<input type="hidden" name="audience" value="${audience}"><input type="hidden" name="type" value="${type}">
${install.spKeyOffer ? html`<input type="hidden" name="spKeyOffer" value="${install.spKeyOffer}">` : ''}
${textInput(frame.state, 'slug', 'Slug (in the sign-in addresses)', install.slug, { hint: 'Lowercase letters, digits and dashes; the addresses below change with it.' })}
${copySection(install.copy, type, protocol)}
${appFields(frame.state, undefined, type, { audience, usergroups, config })}
${problemCount()}
<button type="submit">Install</button></form>`);
}

/** The values the identity service asks for, before and after install. */
function copySection(values: Record<string, string>, type: AppType, protocol: string | undefined): SafeHtml {
  const saml = type === 'saml' || protocol === 'saml';
  return html`<section class="copy-values" aria-labelledby="copy-h"><h2 id="copy-h">Give these to the identity service</h2>${copyList(values, COPY_LABELS)}
${saml && values.spCertificate ? html`<p class="muted">The IdP checks our signed requests with the SP certificate; it is also in the SP metadata.</p>` : ''}
${type === 'jwt' ? html`<p class="muted">The signing site posts its token to the JWT address; people who must sign in are sent to its remote login URL.</p><p class="notice">${JWT_EMAIL_TRUST}</p>` : ''}
</section>`;
}

/** Announces the number of problems found as you type, once per change, not once per field. */
const problemCount = () => html`<p class="visually-hidden" role="status" data-problem-count></p>`;

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
  return consolePage(frame, app.name, 'apps', html`<h1>${app.name}</h1>
<p class="muted">${AUDIENCE_LABEL[app.audience]} · type <code>${app.type}</code> · slug <code>${app.slug}</code> · ${app.enabled ? 'enabled' : 'turned off'} · ${ssoBadge(app)}</p>
${detail.sharedSecret ? html`<div class="notice" role="status"><p><strong>${detail.regenerated ? html`New shared secret, shown to you until ${when(detail.regenerated.until)}.` : 'Shared secret, shown this once.'}</strong> Give it to the site that signs the tokens:</p>${copyList({ sharedSecret: detail.sharedSecret }, { sharedSecret: 'Shared secret (HS256)' })}</div>` : ''}
${urls && Object.keys(urls).length ? html`<div class="card">${copySection(urls, app.type, typeof app.config.protocol === 'string' ? app.config.protocol : undefined)}</div>` : ''}
${external ? html`<section class="card" aria-labelledby="test-h"><h2 id="test-h">Test</h2>
<p>The <strong>Test</strong> checks the setup without signing anyone in (discovery, keys, endpoints, credentials). A <strong>test sign-in</strong> goes through the identity service for real, in a new tab.</p>
${actionButton(`/admin/apps/${app.id}/test`, csrf, 'Test the setup')}
${testSignInButton(app, csrf, detail.testSignIn)}
<p class="muted">${lastSuccess ? html`Last successful sign-in: ${when(lastSuccess.finishedAt)} (trace <a href="/admin/sso-traces/${lastSuccess.id}"><code>${lastSuccess.id}</code></a>).` : 'No successful sign-in with this app yet.'}</p>
${detail.report ? testReport(detail.report) : ''}
${app.type === 'jwt' ? tokenCheckSection(app, csrf, detail.tokenReport) : ''}</section>
${app.type === 'jwt' && jwtUsesSharedSecret(app) ? sharedSecretSection(app) : ''}
${detail.extraSection ?? ''}
<section class="card" aria-labelledby="sso-h"><h2 id="sso-h">SSO mode</h2>
${app.sso === 'automatic'
  ? html`<p>This is the <strong>Automatic</strong> app: everyone signing in as ${app.audience === 'users' ? 'a User' : 'an Agent'} goes straight to it.</p>${actionButton(`/admin/apps/${app.id}/sso`, csrf, 'Turn Automatic off', { fields: { sso: 'disabled' } })}`
  : html`<p>Disabled SSO: the login form stays${app.showButton ? ', with a button for this app' : ''}.</p><p><a href="/admin/apps/${app.id}/automatic">Make this the Automatic app…</a></p>`}
</section>` : detail.report ? testReport(detail.report) : ''}
<section class="card" aria-labelledby="edit-h"><h2 id="edit-h">Settings</h2>
<form class="stack" method="post" action="/admin/apps/${app.id}"${external ? html` data-validate="/admin/apps/validate" novalidate` : ''}>${csrfField(csrf)}
${external ? html`<input type="hidden" name="appId" value="${app.id}">` : ''}
${appFields(state, app, app.type, { audience: app.audience, usergroups, config: app.config })}
${problemCount()}
<button type="submit">Save</button></form></section>
${app.type !== 'password' ? html`<section class="card" aria-labelledby="remove-h"><h2 id="remove-h">Remove</h2><p>People who signed in with it keep their accounts; their link to it goes.</p>${confirmLink(`/admin/apps/${app.id}/remove`, 'Remove this app')}</section>` : ''}`);
}

/**
 * Opens the app's sign-in in a new tab through a console POST (a one-time ticket for this
 * admin session); it ends on a report, never signing this browser in as the test person.
 */
function testSignInButton(app: AuthApp, csrf: string, supported: boolean): SafeHtml {
  if (!supported) return html`<span class="muted">This type has no test sign-in; its Test checks a sample account.</span>`;
  if (!app.enabled) return html`<span class="muted">Enable the app to try a test sign-in.</span>`;
  return html`<form class="inline" method="post" action="/admin/apps/${app.id}/test-sign-in" target="_blank">${csrfField(csrf)}<button type="submit" class="secondary">Test sign-in</button></form>
<span class="muted">Opens in a new tab; you stay signed in here as yourself and get a report of what arrived.</span>`;
}

const jwtUsesSharedSecret = (app: AuthApp) => Array.isArray(app.config.algorithms) && app.config.algorithms.some((a) => typeof a === 'string' && isHmacAlgorithm(a));

/** What switching to Automatic does, and the button only once a test sign-in succeeded. */
export function automaticPage(frame: ConsoleFrame, app: AuthApp, current: AuthApp | undefined, success: SsoTrace | undefined): SafeHtml {
  return consolePage(frame, `Make ${app.name} Automatic`, 'apps', html`<h1>Make ${app.name} the Automatic app?</h1>
<div class="card"><p>With Automatic SSO, everyone who signs in as ${app.audience === 'users' ? 'a User' : 'an Agent'} is sent straight to ${app.name}:</p>
<ul>
${app.audience === 'users' ? html`<li><strong>All Help Center content is hidden from anonymous visitors</strong>: they are sent to ${app.name} to sign in first, and the Everyone usergroup no longer applies to them.</li>` : html`<li>The agent login form is no longer shown; admins keep the break-glass door at <code>/agent/login?local=1</code>.</li>`}
<li>${current && current.id !== app.id ? html`The current Automatic app, <strong>${current.name}</strong>, is demoted to Disabled SSO.` : 'There is no other Automatic app to demote.'}</li>
<li><strong>Everyone must have an account at ${app.name}</strong>; people who only have a password here can no longer sign in through the form.</li>
</ul>
${success
  ? html`<p>A test sign-in succeeded on ${when(success.finishedAt)}.</p>
<form method="post" action="/admin/apps/${app.id}/automatic">${csrfField(frame.csrf)}<input type="hidden" name="confirm" value="yes"><button type="submit">Make it Automatic</button></form>`
  : html`<p class="error">Not yet: this app has had no successful test sign-in. Run one from <a href="/admin/apps/${app.id}">its page</a> (it opens in a new tab and signs nobody in), then come back.</p>`}
<p><a href="/admin/apps/${app.id}">Cancel</a></p></div>`);
}

function testReport(report: AppTestReport): SafeHtml {
  return html`<div class="${report.ok ? 'notice' : 'error'}" role="status"><p><strong>${report.ok ? 'Every check passed.' : 'Some checks failed.'}</strong></p>
<ul class="checks">${report.checks.map((c) => html`<li class="${c.ok ? 'ok' : 'failed'}"><strong>${c.ok ? 'ok' : 'failed'}</strong> · ${c.name}: ${c.detail}</li>`)}</ul></div>`;
}

// --- The per-type form of an auth app ---------------------------------------------------------

function appFields(state: ViewState, app: AuthApp | undefined, type: AppType, context: { audience: Audience; usergroups: Group[]; config: Record<string, unknown> }): SafeHtml {
  const config = context.config;
  const external = type !== 'password';
  return html`${textInput(state, 'name', 'Name', app?.name ?? defaultAppName(type), { required: true, hint: 'Shown on the login button and in the console.' })}
${checkbox(state, 'enabled', 'Enabled', app?.enabled ?? true, { hint: 'Off: nobody can sign in with it; its settings stay.' })}
${external ? html`${checkbox(state, 'showButton', 'Show a “Sign in with …” button on the login form', app?.showButton ?? true)}
${textInput(state, 'config.buttonText', 'Button text', typeof config.buttonText === 'string' ? config.buttonText : '', { placeholder: `Sign in with ${app?.name ?? defaultAppName(type)}`, hint: 'Empty: “Sign in with” and the name.' })}` : ''}
${textInput(state, 'displayOrder', 'Display order (lower comes first)', String(app?.displayOrder ?? 0), { type: 'number', min: -1000, max: 1000, hint: 'The order of the buttons on the login form.' })}
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
    { done: apps.some((a) => a.type !== 'password'), html: html`<a href="/admin/apps/new">Install an auth app</a> for your users or agents (Google, Microsoft, Okta, OneLogin, OpenID Connect, SAML, JWT); email and password works already.` },
    { done: articlesExist, html: html`<a href="/admin/articles/new">Add articles</a> to the Help Center and choose who may read each; until then visitors see an empty Help Center.` },
  ];
  if (steps.every((s) => s.done)) return html``;
  return html`<section class="card welcome" aria-labelledby="welcome"><h2 id="welcome">Welcome: what to do next</h2>
<ol>${steps.map((s) => html`<li>${s.done ? html`<s>${s.html}</s> <strong>done</strong>` : s.html}</li>`)}</ol>
<p class="muted">This card goes away once both are done.</p></section>`;
}
