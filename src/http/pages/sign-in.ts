import { externalSettingsOf } from '../../core/account-resolution.ts';
import type { AuthApp } from '../../core/apps.ts';
import { errorMessage } from '../../i18n/error-messages.ts';
import { t } from '../../i18n/t.ts';
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
  return error ? html`<p class="error" role="alert" data-code="${error.code}">${errorMessage(error)}</p>` : '';
}

function buttonLabel(app: AuthApp): string {
  return externalSettingsOf(app).buttonText ?? t('signIn.withApp', { app: app.name });
}

export function loginPage(model: LoginPageModel): SafeHtml {
  const returnQuery = model.returnTo === '/' || model.returnTo === '/agent' ? '' : `?return_to=${encodeURIComponent(model.returnTo)}`;
  const heading = model.breakGlass ? t('signIn.breakGlassHeading') : model.area === 'agent' ? t('signIn.agentHeading') : t('signIn.heading');
  return layout(
    { title: heading, area: model.area },
    html`<div class="card">
  <h1>${heading}</h1>
  ${signInText()}
  ${errorBox(model.error)}
  ${model.breakGlass ? html`<p class="muted">${t('signIn.breakGlassNote')}</p>` : ''}
  ${model.showPasswordForm
    ? html`<form class="stack" method="post" action="${model.action}">
    <input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="return_to" value="${model.returnTo}">
    ${model.breakGlass ? html`<input type="hidden" name="break_glass" value="1">` : ''}
    <label>${t('signIn.email')} <input type="email" name="email" autocomplete="username" required maxlength="254" value="${model.email ?? ''}"></label>
    <label>${t('signIn.password')} <input type="password" name="password" autocomplete="current-password" required maxlength="1024"></label>
    <button type="submit">${t('signIn.submit')}</button>
  </form>`
    : ''}
  ${model.buttons.length
    ? html`<div class="sso-buttons">${model.buttons.map(
        (app) => html`<a class="button secondary" href="/sso/${app.slug}/start${returnQuery}">${buttonLabel(app)}</a>`,
      )}</div>`
    : ''}
  ${!model.showPasswordForm && model.buttons.length === 0 ? html`<p>${t('signIn.noWay')}</p>` : ''}
  ${model.error?.code === 'auth.email_unverified'
    ? html`<form class="inline" method="post" action="/register/validate/resend"><input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="email" value="${model.email ?? ''}"><button class="link" type="submit">${t('signIn.resendValidation')}</button></form>`
    : ''}
  ${model.showPasswordForm && model.forgotHref ? html`<p><a href="${model.forgotHref}">${t('signIn.forgot')}</a></p>` : ''}
  ${model.breakGlass && model.bypassHref ? html`<p><a href="${model.bypassHref}">${t('signIn.bypass')}</a></p>` : ''}
  ${model.registerHref ? html`<p>${t('signIn.newHere')} <a href="${model.registerHref}">${t('signIn.createAccount')}</a></p>` : ''}
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
  return html`<label>${t('register.name')} <input type="text" name="name" autocomplete="name" required maxlength="200" value="${model.name ?? ''}"></label>
    <label>${t('signIn.email')} <input type="email" name="email" autocomplete="email" required maxlength="254" value="${model.email ?? ''}"></label>
    <label>${t('signIn.password')} <input type="password" name="password" autocomplete="new-password" required minlength="${model.passwordMinLength ?? 8}" maxlength="256">
      <span class="muted">${t('register.passwordHint', { min: model.passwordMinLength ?? 8 })}</span></label>`;
}

export function registerPage(model: RegisterPageModel): SafeHtml {
  return layout(
    { title: t('register.heading'), area: 'help-center' },
    html`<div class="card">
  <h1>${t('register.heading')}</h1>
  ${errorBox(model.error)}
  <form class="stack" method="post" action="/register">
    <input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="return_to" value="${model.returnTo}">
    ${newAccountFields(model)}
    <button type="submit">${t('register.submit')}</button>
  </form>
  <p>${t('register.haveAccount')} <a href="/login">${t('signIn.submit')}</a></p>
</div>`,
  );
}

export function logoutPage(chrome: PageChrome & { action: string }): SafeHtml {
  return layout(
    chrome,
    html`<div class="card">
  <h1>${t('signOut.heading')}</h1>
  <form method="post" action="${chrome.action}"><input type="hidden" name="_csrf" value="${chrome.csrfToken}"><button type="submit">${t('signOut.heading')}</button></form>
</div>`,
  );
}
