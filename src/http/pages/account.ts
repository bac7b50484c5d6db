import type { Person } from '../../core/people.ts';
import type { RememberedDevice } from '../../core/remembered-devices.ts';
import type { Session } from '../../core/sessions.ts';
import { LANGUAGE_NAMES, type Language } from '../../core/languages.ts';
import { errorMessage } from '../../i18n/error-messages.ts';
import { tHtml } from '../../i18n/rich.ts';
import { t } from '../../i18n/t.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageChrome } from './layout.ts';
import { listTable } from './list-table.ts';
import { restrictionBadge } from './session-marks.ts';

type ErrorModel = { code: string; message: string } | undefined;

export function errorBox(error: ErrorModel): SafeHtml | '' {
  return error ? html`<p class="error" role="alert" data-code="${error.code}">${errorMessage(error)}</p>` : '';
}

export function noticeBox(notice: string | undefined): SafeHtml | '' {
  return notice ? html`<p class="notice" role="status">${notice}</p>` : '';
}

/** A stored ISO time as the tables show it: `2026-12-03 16:10 UTC`, machine-readable in datetime. */
const utcTime = (iso: string) => html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 16)} UTC</time>`;

const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;
const returnField = (returnTo: string | undefined) => (returnTo ? html`<input type="hidden" name="return_to" value="${returnTo}">` : '');

/** A page that only says what happened, with where to go next. */
export function messagePage(chrome: PageChrome, model: { heading: string; message: string; state?: string; links?: { href: string; label: string }[] }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card" data-state="${model.state ?? ''}">
  <h1>${model.heading}</h1>
  <p>${model.message}</p>
  ${(model.links ?? []).map((link) => html`<p><a href="${link.href}">${link.label}</a></p>`)}
</div>`,
  );
}

export function twoFactorChallengePage(
  chrome: PageChrome,
  model: {
    action: string; emailAction: string; csrfToken: string; returnTo: string; methods: string[]; error?: ErrorModel; notice?: string | undefined;
    /** "Remember this device" is offered for this many days; null: the audience has it off. */
    rememberDays: number | null;
  },
): SafeHtml {
  // In every form that finishes the challenge, so it applies whichever code is used.
  const remember = model.rememberDays
    ? html`<label class="check"><input type="checkbox" name="remember_device" value="1"> ${t('twoFactor.remember', { days: model.rememberDays })}</label>`
    : '';
  return layout(
    chrome,
    html`<div class="card">
  <h1>${t('twoFactor.title')}</h1>
  ${errorBox(model.error)}${noticeBox(model.notice)}
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}
    <input type="hidden" name="method" value="${model.methods.includes('totp') ? 'totp' : 'email'}">
    <label>${model.methods.includes('totp') ? t('twoFactor.appCode') : t('twoFactor.emailCodeSent')}
      <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required></label>
    ${remember}
    <button type="submit">${t('twoFactor.continue')}</button>
  </form>
  <form class="inline" method="post" action="${model.emailAction}">${csrfField(model.csrfToken)}${returnField(model.returnTo)}
    <button class="link" type="submit">${t('twoFactor.emailInstead')}</button></form>
  ${model.methods.includes('totp')
    ? html`<form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="email">
    <label>${t('twoFactor.emailCode')} <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required></label>
    ${remember}
    <button class="secondary" type="submit">${t('twoFactor.useEmailed')}</button>
  </form>`
    : ''}
  <details><summary>${t('twoFactor.lostDevice')}</summary>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="recovery">
    <label>${t('twoFactor.recoveryCode')} <input type="text" name="code" autocomplete="off" maxlength="20" required></label>
    ${remember}
    <button class="secondary" type="submit">${t('twoFactor.useRecovery')}</button>
  </form></details>
</div>`,
  );
}

export type EnrolmentView = { secret: string; qrDataUri: string };

/** Setting up an authenticator app (or email codes), at sign-in when required or from the account page. */
export function twoFactorSetupPage(
  chrome: PageChrome,
  model: {
    heading: string; intro: string; action: string; emailAction: string; csrfToken: string; returnTo?: string | undefined;
    enrolment: EnrolmentView; error?: ErrorModel; notice?: string | undefined;
    /** From the account page: offer to end the person's other sessions when 2FA goes on. */
    offerEndOthers?: boolean;
  },
): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>${model.heading}</h1>
  ${errorBox(model.error)}${noticeBox(model.notice)}
  <p>${model.intro}</p>
  <h2>${t('twoFactorSetup.app')}</h2>
  <p>${t('twoFactorSetup.scan')}</p>
  <p><img class="qr" src="${model.enrolment.qrDataUri}" alt="${t('twoFactorSetup.qrAlt')}" width="200" height="200"></p>
  <p>${t('twoFactorSetup.key')} <code class="secret" data-totp-secret>${model.enrolment.secret}</code></p>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="totp">
    <label>${t('twoFactorSetup.appCode')} <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required></label>
    ${model.offerEndOthers ? html`<label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> ${t('account.endMyOthers')}</label>` : ''}
    <button type="submit">${t('twoFactorSetup.turnOn')}</button>
  </form>
  <h2>${t('twoFactorSetup.orEmail')}</h2>
  <form class="inline" method="post" action="${model.emailAction}">${csrfField(model.csrfToken)}${returnField(model.returnTo)}
    <button class="secondary" type="submit">${t('twoFactorSetup.emailMe')}</button></form>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="email">
    <label>${t('twoFactor.emailCode')} <input type="text" name="code" inputmode="numeric" maxlength="8" required></label>
    ${model.offerEndOthers ? html`<label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> ${t('account.endMyOthers')}</label>` : ''}
    <button class="secondary" type="submit">${t('twoFactorSetup.useEmail')}</button>
  </form>
</div>`,
  );
}

export function recoveryCodesPage(chrome: PageChrome, model: { codes: string[]; continueHref: string }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>${t('recovery.heading')}</h1>
  ${model.codes.length
    ? html`<p>${t('recovery.intro')}</p>
  <ul class="codes">${model.codes.map((code) => html`<li><code data-recovery-code>${code}</code></li>`)}</ul>`
    : html`<p>${t('recovery.kept')}</p>`}
  <p><a class="button" href="${model.continueHref}">${t('recovery.continue')}</a></p>
</div>`,
  );
}

export function forgotPasswordPage(chrome: PageChrome, model: { action: string; csrfToken: string; sent: boolean; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>${t('forgot.heading')}</h1>
  ${errorBox(model.error)}
  ${model.sent
    ? html`<p class="notice" role="status" data-state="reset-requested">${t('forgot.sent')}</p>`
    : ''}
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}
    <label>${t('signIn.email')} <input type="email" name="email" autocomplete="email" required maxlength="254"></label>
    <button type="submit">${t('forgot.submit')}</button>
  </form>
</div>`,
  );
}

export function resetPasswordPage(chrome: PageChrome, model: { action: string; csrfToken: string; token: string; minLength: number; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>${t('reset.heading')}</h1>
  ${errorBox(model.error)}
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}<input type="hidden" name="token" value="${model.token}">
    <label>${t('reset.newPassword')} <input type="password" name="password" autocomplete="new-password" required minlength="${model.minLength}" maxlength="256">
      <span class="muted">${t('reset.hint', { min: model.minLength })}</span></label>
    <button type="submit">${t('reset.submit')}</button>
  </form>
  <p class="muted">${t('reset.signsOut')}</p>
</div>`,
  );
}

export function confirmLinkPage(chrome: PageChrome, model: { heading: string; message: string; action: string; csrfToken: string; token: string; button: string }): SafeHtml {
  // Links in emails are opened by mail scanners too: using one takes a POST from this page,
  // so a scanner's GET cannot use up (or act on) the link.
  return layout(
    chrome,
    html`<div class="card">
  <h1>${model.heading}</h1>
  <p>${model.message}</p>
  <form method="post" action="${model.action}">${csrfField(model.csrfToken)}<input type="hidden" name="token" value="${model.token}">
    <button type="submit">${model.button}</button></form>
</div>`,
  );
}

/**
 * The page an email validation link opens. Confirming needs the password chosen at
 * registration: the link proves the mailbox, the password that its holder is the one who
 * registered (pre-account hijacking, see EmailValidation.validateEmail).
 */
export function confirmEmailPage(chrome: PageChrome, model: { action: string; csrfToken: string; token: string; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card" data-state="confirm-email">
  <h1>${t('confirmEmail.heading')}</h1>
  ${errorBox(model.error)}
  <p>${t('confirmEmail.intro')}</p>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}<input type="hidden" name="token" value="${model.token}">
    <label>${t('signIn.password')} <input type="password" name="password" autocomplete="current-password" required maxlength="256"></label>
    <button type="submit">${t('confirmEmail.submit')}</button>
  </form>
  <p class="muted" data-state="not-you">${tHtml('confirmEmail.notYou', { link: html`<a href="/password/forgot">${t('signIn.forgot')}</a>` })}</p>
</div>`,
  );
}

export function bypassRequestPage(chrome: PageChrome, model: { csrfToken: string; sent: boolean; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>${t('bypass.heading')}</h1>
  ${errorBox(model.error)}
  <p class="muted">${t('bypass.note')}</p>
  ${model.sent ? html`<p class="notice" role="status" data-state="bypass-requested">${t('bypass.sent')}</p>` : ''}
  <form class="stack" method="post" action="/agent/login/bypass">
    ${csrfField(model.csrfToken)}
    <label>${t('bypass.email')} <input type="email" name="email" autocomplete="email" required maxlength="254"></label>
    <button type="submit">${t('bypass.submit')}</button>
  </form>
</div>`,
  );
}

function methodNames(methods: readonly ('totp' | 'email')[]): string {
  const names = methods.map((m) => (m === 'totp' ? t('account.methodApp') : t('account.methodEmail')));
  return names.length === 2 ? t('account.methodsJoined', { first: names[0]!, second: names[1]! }) : names.join('');
}

export type LanguageChoice = { own: Language | null; offered: readonly Language[]; automatic: Language };

/** The account's language setting (issue 18 part 7): its own choice, or "as my browser asks". */
function languageSection(base: string, csrf: SafeHtml, choice: LanguageChoice | undefined): SafeHtml | '' {
  if (!choice) return '';
  return html`<section class="card" aria-labelledby="language-h">
  <h2 id="language-h">${t('account.language')}</h2>
  <p>${t('account.languageIntro')}</p>
  <form class="stack" method="post" action="${base}/account/language">${csrf}
    <label for="account-language">${t('account.languageChoice')}
    <select id="account-language" name="language">
      <option value=""${choice.own === null ? html` selected` : ''}>${t('account.languageAutomatic', { language: LANGUAGE_NAMES[choice.automatic] })}</option>
      ${choice.offered.map((l) => html`<option value="${l}" lang="${l}"${choice.own === l ? html` selected` : ''}>${LANGUAGE_NAMES[l]}</option>`)}
    </select></label>
    <button class="secondary" type="submit">${t('account.languageSave')}</button>
  </form>
</section>`;
}

function deviceOf(userAgent: string | null): string {
  if (!userAgent) return t('account.unknownDevice');
  const browser = /Firefox\/|Edg\/|Chrome\/|Safari\//.exec(userAgent)?.[0]?.replace('/', '') ?? '';
  const system = /Windows|Mac OS X|Android|iPhone|iPad|Linux/.exec(userAgent)?.[0] ?? '';
  const name = browser.replace('Edg', 'Edge');
  if (name && system) return t('account.deviceOn', { browser: name, system });
  return name || system || userAgent.slice(0, 60);
}

export function accountPage(
  chrome: PageChrome,
  model: {
    base: string; person: Person; current: Session; sessions: Session[]; csrfToken: string; recoveryCodesLeft: number;
    passwordMinLength: number; error?: ErrorModel; notice?: string | undefined;
    signInMethods?: { linked: { name: string }[]; linkable: { slug: string; name: string }[] };
    /** Browsers that skip the second factor (issue 18 part 8). */
    devices?: RememberedDevice[];
    /** Their own language setting, the languages to choose from, and what the browser would give. */
    language?: LanguageChoice | undefined;
  },
): SafeHtml {
  const { base, person } = model;
  const methods = model.signInMethods;
  const csrf = csrfField(model.csrfToken);
  return layout(
    chrome,
    html`<h1>${t('account.heading')}</h1>
${errorBox(model.error)}${noticeBox(model.notice)}
<section class="card" aria-labelledby="sessions-h">
  <h2 id="sessions-h">${t('account.sessions')}</h2>
  ${listTable([t('account.device'), t('account.address'), t('account.lastSeen'), { label: t('account.actions'), hidden: true }], model.sessions.map((s) => ({
    data: { 'session-id': s.id },
    cells: [
      html`${deviceOf(s.userAgent)}${restrictionBadge(s)}`, s.ip ?? t('account.unknown'), utcTime(s.lastSeenAt),
      s.id === model.current.id
        ? html`<strong>${t('account.thisSession')}</strong>`
        : html`<form method="post" action="${base}/account/sessions/${s.id}/end">${csrf}<button class="secondary" type="submit">${t('account.end')}</button></form>`,
    ],
  })), { card: false })}
  ${model.sessions.length > 1
    ? html`<form method="post" action="${base}/account/sessions/end-others">${csrf}<button class="secondary" type="submit">${t('account.endOthers')}</button></form>`
    : ''}
</section>
${model.devices?.length
  ? html`<section class="card" aria-labelledby="devices-h">
  <h2 id="devices-h">${t('account.devices')}</h2>
  <p>${t('account.devicesIntro')}</p>
  ${listTable([t('account.device'), t('account.address'), t('account.until'), { label: t('account.actions'), hidden: true }], model.devices.map((d) => ({
    data: { 'device-id': d.id },
    cells: [
      deviceOf(d.userAgent), d.ip ?? t('account.unknown'), utcTime(d.expiresAt),
      html`<form method="post" action="${base}/account/devices/${d.id}/forget">${csrf}<button class="secondary" type="submit">${t('account.forget')}</button></form>`,
    ],
  })), { card: false })}
  <form method="post" action="${base}/account/devices/forget-all">${csrf}<button class="secondary" type="submit">${t('account.forgetAll')}</button></form>
</section>`
  : ''}
${methods && (methods.linked.length || methods.linkable.length)
  ? html`<section class="card" aria-labelledby="methods-h">
  <h2 id="methods-h">${t('account.methods')}</h2>
  ${methods.linked.length ? html`<p>${t('account.linked', { names: methods.linked.map((m) => m.name).join(', ') })}</p>` : ''}
  ${methods.linkable.map((m) => html`<form class="inline" method="post" action="${base}/account/identities/link">${csrf}<input type="hidden" name="app" value="${m.slug}"><button class="secondary" type="submit">${t('account.link', { app: m.name })}</button></form>`)}
</section>`
  : ''}
${person.hasPassword
  ? html`<section class="card" aria-labelledby="password-h">
  <h2 id="password-h">${t('account.changePassword')}</h2>
  <form class="stack" method="post" action="${base}/account/password">
    ${csrf}
    <label>${t('account.currentPassword')} <input type="password" name="current_password" autocomplete="current-password" required maxlength="1024"></label>
    <label>${t('account.newPassword')} <input type="password" name="new_password" autocomplete="new-password" required minlength="${model.passwordMinLength}" maxlength="256"></label>
    <label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> ${t('account.endMyOthers')}</label>
    <button type="submit">${t('account.savePassword')}</button>
  </form>
</section>`
  : html`<section class="card"><h2>${t('account.password')}</h2><p class="muted">${t('account.externalPassword')}</p></section>`}
<section class="card" aria-labelledby="tfa-h">
  <h2 id="tfa-h">${t('account.twoFactor')}</h2>
  ${person.twoFactor.methods.length
    ? html`<p data-state="two-factor-on">${t('account.twoFactorOn', { methods: methodNames(person.twoFactor.methods), count: model.recoveryCodesLeft })}</p>
  <form method="post" action="${base}/account/2fa/recovery-codes">${csrf}<button class="secondary" type="submit">${t('account.newRecoveryCodes')}</button></form>
  ${person.twoFactor.methods.includes('totp') ? '' : html`<form method="post" action="${base}/account/2fa/setup">${csrf}<button class="secondary" type="submit">${t('account.addApp')}</button></form>`}
  <form class="stack" method="post" action="${base}/account/2fa/remove">${csrf}
    ${person.hasPassword ? html`<label>${t('account.currentPassword')} <input type="password" name="current_password" autocomplete="current-password" required maxlength="1024"></label>` : ''}
    <label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> ${t('account.endMyOthers')}</label>
    <button class="secondary" type="submit">${t('account.twoFactorTurnOff')}</button></form>`
    : html`<p data-state="two-factor-off">${t('account.twoFactorOff')}</p>
  <form method="post" action="${base}/account/2fa/setup">${csrf}<button type="submit">${t('account.turnOn')}</button></form>`}
</section>
${languageSection(base, csrf, model.language)}`,
  );
}

export function approvalsPage(chrome: PageChrome, model: { people: Person[]; csrfToken: string; notice?: string | undefined; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>${t('approvals.heading')}</h1>
  ${errorBox(model.error)}${noticeBox(model.notice)}
  ${model.people.length
    ? html`<ul class="approvals">${model.people.map(
        (p) => html`<li data-person-id="${p.id}">${p.name} &lt;${p.emails[0]?.email ?? ''}&gt;
      <form class="inline" method="post" action="/agent/approvals/${p.id}/approve">${csrfField(model.csrfToken)}<button type="submit">${t('approvals.approve')}</button></form>
      <form class="inline" method="post" action="/agent/approvals/${p.id}/reject">${csrfField(model.csrfToken)}<button class="secondary" type="submit">${t('approvals.reject')}</button></form></li>`,
      )}</ul>`
    : html`<p class="muted">${t('approvals.nobody')}</p>`}
</div>`,
  );
}
