import { html, type SafeHtml } from '../html.ts';
import { errorBox } from './account.ts';
import { layout } from './layout.ts';
import { newAccountFields } from './sign-in.ts';

export function setupPage(model: { csrfToken: string; token: string; name?: string | undefined; email?: string | undefined; error?: { code: string; message: string } | undefined }): SafeHtml {
  return layout(
    { title: 'Set up Frontdoor', area: 'admin' },
    html`<div class="card">
  <h1>Set up Frontdoor</h1>
  <p>Nobody can sign in yet. Create the first admin: an agent who manages sign-in in the admin console.
  This page works once; after that, sign in at <a href="/admin">/admin</a>.</p>
  ${errorBox(model.error)}
  <form class="stack" method="post" action="/setup">
    <input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="token" value="${model.token}">
    ${newAccountFields(model)}
    <button type="submit">Create the admin</button>
  </form>
</div>`,
  );
}

export function setupDonePage(model: { email: string }): SafeHtml {
  return layout(
    { title: 'Frontdoor is set up', area: 'admin' },
    html`<div class="card">
  <h1>Frontdoor is set up</h1>
  <p>The admin ${model.email} exists. The setup link no longer works.</p>
  <p><a class="button" href="/agent/login?return_to=%2Fadmin">Sign in to the admin console</a></p>
</div>`,
  );
}
