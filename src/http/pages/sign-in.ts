import { externalSettingsOf } from '../../core/account-resolution.ts';
import type { AuthApp } from '../../core/apps.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, signInText, type PageChrome } from './layout.ts';

export type LoginPageModel = {
  area: 'help-center' | 'agent';
  action: string;
  csrfToken: string;
  returnTo: string;
  showPasswordForm: boolean;
  buttons: AuthApp[];
  registerHref?: string | undefined;
  breakGlass?: boolean;
  forgotHref?: string | undefined;
  bypassHref?: string | undefined;
  email?: string | undefined;
  error?: { code: string; message: string } | undefined;
};

export function errorBox(error: { code: string; message: string } | undefined): SafeHtml | '' {
  return error ? html`<p class="error" role="alert" data-code="${error.code}">${error.message}</p>` : '';
}

function buttonLabel(app: AuthApp): string {
  return externalSettingsOf(app).buttonText ?? `Sign in with ${app.name}`;
}

export function loginPage(model: LoginPageModel): SafeHtml {
  const returnQuery = model.returnTo === '/' || model.returnTo === '/agent' ? '' : `?return_to=${encodeURIComponent(model.returnTo)}`;
  const heading = model.breakGlass ? 'Admin break-glass sign-in' : model.area === 'agent' ? 'Agent sign-in' : 'Sign in';
  return layout(
    { title: heading, area: model.area },
    html`<div class="card">
  <h1>${heading}</h1>
  ${signInText()}
  ${errorBox(model.error)}
  ${model.breakGlass ? html`<p class="muted">For admins when single sign-on is broken. Every use is written to the audit log.</p>` : ''}
  ${model.showPasswordForm
    ? html`<form class="stack" method="post" action="${model.action}">
    <input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="return_to" value="${model.returnTo}">
    ${model.breakGlass ? html`<input type="hidden" name="break_glass" value="1">` : ''}
    <label>Email <input type="email" name="email" autocomplete="username" required maxlength="254" value="${model.email ?? ''}"></label>
    <label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="1024"></label>
    <button type="submit">Sign in</button>
  </form>`
    : ''}
  ${model.buttons.length
    ? html`<div class="sso-buttons">${model.buttons.map(
        (app) => html`<a class="button secondary" href="/sso/${app.slug}/start${returnQuery}">${buttonLabel(app)}</a>`,
      )}</div>`
    : ''}
  ${!model.showPasswordForm && model.buttons.length === 0 ? html`<p>No way to sign in is set up here yet. Please contact the helpdesk.</p>` : ''}
  ${model.error?.code === 'auth.email_unverified'
    ? html`<form class="inline" method="post" action="/register/validate/resend"><input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="email" value="${model.email ?? ''}"><button class="link" type="submit">Send the confirmation link again</button></form>`
    : ''}
  ${model.showPasswordForm && model.forgotHref ? html`<p><a href="${model.forgotHref}">Forgot your password?</a></p>` : ''}
  ${model.breakGlass && model.bypassHref ? html`<p><a href="${model.bypassHref}">Email me a one-time admin sign-in link</a></p>` : ''}
  ${model.registerHref ? html`<p>New here? <a href="${model.registerHref}">Create an account</a></p>` : ''}
</div>`,
  );
}

export type RegisterPageModel = {
  csrfToken: string;
  passwordMinLength?: number;
  returnTo: string;
  name?: string | undefined;
  email?: string | undefined;
  error?: { code: string; message: string } | undefined;
};

/** Name, email and a new password: the fields of every form that makes an account (registration, first-run setup). */
export function newAccountFields(model: { name?: string | undefined; email?: string | undefined; passwordMinLength?: number | undefined }): SafeHtml {
  return html`<label>Name <input type="text" name="name" autocomplete="name" required maxlength="200" value="${model.name ?? ''}"></label>
    <label>Email <input type="email" name="email" autocomplete="email" required maxlength="254" value="${model.email ?? ''}"></label>
    <label>Password <input type="password" name="password" autocomplete="new-password" required minlength="${model.passwordMinLength ?? 8}" maxlength="256">
      <span class="muted">At least ${model.passwordMinLength ?? 8} characters, not one of the most common passwords. A few unrelated words make a strong one.</span></label>`;
}

export function registerPage(model: RegisterPageModel): SafeHtml {
  return layout(
    { title: 'Create an account', area: 'help-center' },
    html`<div class="card">
  <h1>Create an account</h1>
  ${errorBox(model.error)}
  <form class="stack" method="post" action="/register">
    <input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="return_to" value="${model.returnTo}">
    ${newAccountFields(model)}
    <button type="submit">Create account</button>
  </form>
  <p>Have an account? <a href="/login">Sign in</a></p>
</div>`,
  );
}

export function logoutPage(chrome: PageChrome & { action: string }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>Sign out</h1>
  <form method="post" action="${chrome.action}"><input type="hidden" name="_csrf" value="${chrome.csrfToken}"><button type="submit">Sign out</button></form>
</div>`,
  );
}
