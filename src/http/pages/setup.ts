import { tHtml } from '../../i18n/rich.ts';
import { t } from '../../i18n/t.ts';
import { html, type SafeHtml } from '../html.ts';
import { errorBox } from './account.ts';
import { layout } from './layout.ts';
import { newAccountFields } from './sign-in.ts';

export function setupPage(model: { csrfToken: string; token: string; name?: string | undefined; email?: string | undefined; error?: { code: string; message: string } | undefined }): SafeHtml {
  return layout(
    { title: t('setup.heading'), area: 'admin' },
    html`<div class="card">
  <h1>${t('setup.heading')}</h1>
  <p>${tHtml('setup.intro', { link: html`<a href="/admin">/admin</a>` })}</p>
  ${errorBox(model.error)}
  <form class="stack" method="post" action="/setup">
    <input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="token" value="${model.token}">
    ${newAccountFields(model)}
    <button type="submit">${t('setup.submit')}</button>
  </form>
</div>`,
  );
}

export function setupDonePage(model: { email: string }): SafeHtml {
  return layout(
    { title: t('setup.doneHeading'), area: 'admin' },
    html`<div class="card">
  <h1>${t('setup.doneHeading')}</h1>
  <p>${t('setup.doneMessage', { email: model.email })}</p>
  <p><a class="button" href="/agent/login?return_to=%2Fadmin">${t('setup.signIn')}</a></p>
</div>`,
  );
}
