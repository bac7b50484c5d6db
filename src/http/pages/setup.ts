import { html, type SafeHtml } from '../html.ts';
import { errorBox } from './account.ts';
import { layout } from './layout.ts';

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
    <label>Name <input type="text" name="name" autocomplete="name" required maxlength="200" value="${model.name ?? ''}"></label>
    <label>Email <input type="email" name="email" autocomplete="email" required maxlength="254" value="${model.email ?? ''}"></label>
    <label>Password <input type="password" name="password" autocomplete="new-password" required minlength="8" maxlength="256">
      <span class="muted">At least 8 characters, not one of the most common passwords. A few unrelated words make a strong one.</span></label>
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
