import type { Person } from '../../core/people.ts';
import type { RememberedDevice } from '../../core/remembered-devices.ts';
import type { Session } from '../../core/sessions.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageChrome } from './layout.ts';
import { listTable } from './list-table.ts';
import { restrictionBadge } from './session-marks.ts';

type ErrorModel = { code: string; message: string } | undefined;

export function errorBox(error: ErrorModel): SafeHtml | '' {
  return error ? html`<p class="error" role="alert" data-code="${error.code}">${error.message}</p>` : '';
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
    ? html`<label class="check"><input type="checkbox" name="remember_device" value="1"> Remember this device for ${String(model.rememberDays)} day${model.rememberDays === 1 ? '' : 's'}</label>`
    : '';
  return layout(
    chrome,
    html`<div class="card">
  <h1>Two-factor authentication</h1>
  ${errorBox(model.error)}${noticeBox(model.notice)}
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}
    <input type="hidden" name="method" value="${model.methods.includes('totp') ? 'totp' : 'email'}">
    <label>${model.methods.includes('totp') ? 'Code from your authenticator app' : 'Code from the email we sent you'}
      <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required></label>
    ${remember}
    <button type="submit">Continue</button>
  </form>
  <form class="inline" method="post" action="${model.emailAction}">${csrfField(model.csrfToken)}${returnField(model.returnTo)}
    <button class="link" type="submit">Email me a code instead</button></form>
  ${model.methods.includes('totp')
    ? html`<form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="email">
    <label>Code from the email <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required></label>
    ${remember}
    <button class="secondary" type="submit">Use the emailed code</button>
  </form>`
    : ''}
  <details><summary>Lost your device? Use a recovery code</summary>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="recovery">
    <label>Recovery code <input type="text" name="code" autocomplete="off" maxlength="20" required></label>
    ${remember}
    <button class="secondary" type="submit">Use recovery code</button>
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
  <h2>Authenticator app</h2>
  <p>Scan this code with an authenticator app, or type the key.</p>
  <p><img class="qr" src="${model.enrolment.qrDataUri}" alt="QR code for your authenticator app" width="200" height="200"></p>
  <p>Key: <code class="secret" data-totp-secret>${model.enrolment.secret}</code></p>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="totp">
    <label>Code shown by the app <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required></label>
    ${model.offerEndOthers ? html`<label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> End my other sessions</label>` : ''}
    <button type="submit">Turn on</button>
  </form>
  <h2>Or: codes by email</h2>
  <form class="inline" method="post" action="${model.emailAction}">${csrfField(model.csrfToken)}${returnField(model.returnTo)}
    <button class="secondary" type="submit">Email me a code</button></form>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}${returnField(model.returnTo)}<input type="hidden" name="method" value="email">
    <label>Code from the email <input type="text" name="code" inputmode="numeric" maxlength="8" required></label>
    ${model.offerEndOthers ? html`<label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> End my other sessions</label>` : ''}
    <button class="secondary" type="submit">Use email codes</button>
  </form>
</div>`,
  );
}

export function recoveryCodesPage(chrome: PageChrome, model: { codes: string[]; continueHref: string }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>Your recovery codes</h1>
  ${model.codes.length
    ? html`<p>Each code signs you in once if you lose your device. Keep them somewhere safe: they are shown only now.</p>
  <ul class="codes">${model.codes.map((code) => html`<li><code data-recovery-code>${code}</code></li>`)}</ul>`
    : html`<p>Two-factor authentication is on. Your earlier recovery codes still work.</p>`}
  <p><a class="button" href="${model.continueHref}">Continue</a></p>
</div>`,
  );
}

export function forgotPasswordPage(chrome: PageChrome, model: { action: string; csrfToken: string; sent: boolean; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>Reset your password</h1>
  ${errorBox(model.error)}
  ${model.sent
    ? html`<p class="notice" role="status" data-state="reset-requested">If an account has this email, we sent it a link to choose a new password. It works once, for an hour. Check your spam folder too.</p>`
    : ''}
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}
    <label>Email <input type="email" name="email" autocomplete="email" required maxlength="254"></label>
    <button type="submit">Send me a link</button>
  </form>
</div>`,
  );
}

export function resetPasswordPage(chrome: PageChrome, model: { action: string; csrfToken: string; token: string; minLength: number; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>Choose a new password</h1>
  ${errorBox(model.error)}
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}<input type="hidden" name="token" value="${model.token}">
    <label>New password <input type="password" name="password" autocomplete="new-password" required minlength="${model.minLength}" maxlength="256">
      <span class="muted">At least ${model.minLength} characters. A few unrelated words make a strong one.</span></label>
    <button type="submit">Set password</button>
  </form>
  <p class="muted">Setting it signs you out everywhere.</p>
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
  <h1>Confirm your email address</h1>
  ${errorBox(model.error)}
  <p>One more step: enter the password you chose when you registered, to confirm that this email address is yours and finish creating your account.</p>
  <form class="stack" method="post" action="${model.action}">
    ${csrfField(model.csrfToken)}<input type="hidden" name="token" value="${model.token}">
    <label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="256"></label>
    <button type="submit">Confirm my email</button>
  </form>
  <p class="muted" data-state="not-you">Did not register here? Ignore the email: without that password nothing is confirmed, and the account cannot be used. Someone may have typed your address by mistake, or on purpose; to take the address back, use <a href="/password/forgot">Forgot your password?</a>.</p>
</div>`,
  );
}

export function bypassRequestPage(chrome: PageChrome, model: { csrfToken: string; sent: boolean; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>Admin sign-in link</h1>
  ${errorBox(model.error)}
  <p class="muted">For admins when single sign-on is broken. We email a link that signs you in once, within 5 minutes. Every request is written to the audit log.</p>
  ${model.sent ? html`<p class="notice" role="status" data-state="bypass-requested">If this is an admin's address, a sign-in link is on its way.</p>` : ''}
  <form class="stack" method="post" action="/agent/login/bypass">
    ${csrfField(model.csrfToken)}
    <label>Admin email <input type="email" name="email" autocomplete="email" required maxlength="254"></label>
    <button type="submit">Email me a link</button>
  </form>
</div>`,
  );
}

function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Firefox\/|Edg\/|Chrome\/|Safari\//.exec(userAgent)?.[0]?.replace('/', '') ?? '';
  const system = /Windows|Mac OS X|Android|iPhone|iPad|Linux/.exec(userAgent)?.[0] ?? '';
  return [browser.replace('Edg', 'Edge'), system].filter(Boolean).join(' on ') || userAgent.slice(0, 60);
}

export function accountPage(
  chrome: PageChrome,
  model: {
    base: string; person: Person; current: Session; sessions: Session[]; csrfToken: string; recoveryCodesLeft: number;
    passwordMinLength: number; error?: ErrorModel; notice?: string | undefined;
    signInMethods?: { linked: { name: string }[]; linkable: { slug: string; name: string }[] };
    /** Browsers that skip the second factor (issue 18 part 8). */
    devices?: RememberedDevice[];
  },
): SafeHtml {
  const { base, person } = model;
  const methods = model.signInMethods;
  const csrf = csrfField(model.csrfToken);
  return layout(
    chrome,
    html`<h1>Your account</h1>
${errorBox(model.error)}${noticeBox(model.notice)}
<section class="card" aria-labelledby="sessions-h">
  <h2 id="sessions-h">Where you are signed in</h2>
  ${listTable(['Device', 'Address', 'Last seen', { label: 'Actions', hidden: true }], model.sessions.map((s) => ({
    data: { 'session-id': s.id },
    cells: [
      html`${deviceOf(s.userAgent)}${restrictionBadge(s)}`, s.ip ?? 'unknown', utcTime(s.lastSeenAt),
      s.id === model.current.id
        ? html`<strong>This session</strong>`
        : html`<form method="post" action="${base}/account/sessions/${s.id}/end">${csrf}<button class="secondary" type="submit">End</button></form>`,
    ],
  })), { card: false })}
  ${model.sessions.length > 1
    ? html`<form method="post" action="${base}/account/sessions/end-others">${csrf}<button class="secondary" type="submit">End all other sessions</button></form>`
    : ''}
</section>
${model.devices?.length
  ? html`<section class="card" aria-labelledby="devices-h">
  <h2 id="devices-h">Remembered devices</h2>
  <p>These browsers skip the second factor when you sign in with your password or sign-in method.</p>
  ${listTable(['Device', 'Address', 'Until', { label: 'Actions', hidden: true }], model.devices.map((d) => ({
    data: { 'device-id': d.id },
    cells: [
      deviceOf(d.userAgent), d.ip ?? 'unknown', utcTime(d.expiresAt),
      html`<form method="post" action="${base}/account/devices/${d.id}/forget">${csrf}<button class="secondary" type="submit">Forget</button></form>`,
    ],
  })), { card: false })}
  <form method="post" action="${base}/account/devices/forget-all">${csrf}<button class="secondary" type="submit">Forget all devices</button></form>
</section>`
  : ''}
${methods && (methods.linked.length || methods.linkable.length)
  ? html`<section class="card" aria-labelledby="methods-h">
  <h2 id="methods-h">Sign-in methods</h2>
  ${methods.linked.length ? html`<p>Linked: ${methods.linked.map((m) => m.name).join(', ')}.</p>` : ''}
  ${methods.linkable.map((m) => html`<form class="inline" method="post" action="${base}/account/identities/link">${csrf}<input type="hidden" name="app" value="${m.slug}"><button class="secondary" type="submit">Link ${m.name}</button></form>`)}
</section>`
  : ''}
${person.hasPassword
  ? html`<section class="card" aria-labelledby="password-h">
  <h2 id="password-h">Change your password</h2>
  <form class="stack" method="post" action="${base}/account/password">
    ${csrf}
    <label>Current password <input type="password" name="current_password" autocomplete="current-password" required maxlength="1024"></label>
    <label>New password <input type="password" name="new_password" autocomplete="new-password" required minlength="${model.passwordMinLength}" maxlength="256"></label>
    <label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> End my other sessions</label>
    <button type="submit">Save password</button>
  </form>
</section>`
  : html`<section class="card"><h2>Password</h2><p class="muted">You sign in through an external service; change your password there.</p></section>`}
<section class="card" aria-labelledby="tfa-h">
  <h2 id="tfa-h">Two-factor authentication</h2>
  ${person.twoFactor.methods.length
    ? html`<p data-state="two-factor-on">On: ${person.twoFactor.methods.map((m) => (m === 'totp' ? 'authenticator app' : 'email codes')).join(' and ')}. ${model.recoveryCodesLeft} recovery codes left.</p>
  <form method="post" action="${base}/account/2fa/recovery-codes">${csrf}<button class="secondary" type="submit">Make new recovery codes</button></form>
  ${person.twoFactor.methods.includes('totp') ? '' : html`<form method="post" action="${base}/account/2fa/setup">${csrf}<button class="secondary" type="submit">Add an authenticator app</button></form>`}
  <form class="stack" method="post" action="${base}/account/2fa/remove">${csrf}
    ${person.hasPassword ? html`<label>Current password <input type="password" name="current_password" autocomplete="current-password" required maxlength="1024"></label>` : ''}
    <label class="check"><input type="checkbox" name="end_other_sessions" value="1" checked> End my other sessions</label>
    <button class="secondary" type="submit">Turn two-factor authentication off</button></form>`
    : html`<p data-state="two-factor-off">Off. With it on, a password alone is not enough to sign in.</p>
  <form method="post" action="${base}/account/2fa/setup">${csrf}<button type="submit">Turn on</button></form>`}
</section>`,
  );
}

export function approvalsPage(chrome: PageChrome, model: { people: Person[]; csrfToken: string; notice?: string | undefined; error?: ErrorModel }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>Accounts waiting for approval</h1>
  ${errorBox(model.error)}${noticeBox(model.notice)}
  ${model.people.length
    ? html`<ul class="approvals">${model.people.map(
        (p) => html`<li data-person-id="${p.id}">${p.name} &lt;${p.emails[0]?.email ?? ''}&gt;
      <form class="inline" method="post" action="/agent/approvals/${p.id}/approve">${csrfField(model.csrfToken)}<button type="submit">Approve</button></form>
      <form class="inline" method="post" action="/agent/approvals/${p.id}/reject">${csrfField(model.csrfToken)}<button class="secondary" type="submit">Reject</button></form></li>`,
      )}</ul>`
    : html`<p class="muted">Nobody is waiting.</p>`}
</div>`,
  );
}
