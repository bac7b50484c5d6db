import { html, type SafeHtml } from '../../http/html.ts';
import { errorBox } from '../../http/pages/sign-in.ts';
import { layout } from '../../http/pages/layout.ts';

export type LdapFormModel = {
  area: 'help-center' | 'agent';
  appName: string;
  action: string;
  csrfToken: string;
  returnTo: string;
  username?: string | undefined;
  error?: { code: string; message: string } | undefined;
};

/**
 * Frontdoor's own form for an LDAP app: the directory's username (or email) and password,
 * posted to this app's form endpoint with the browser's CSRF token (login CSRF: a form posted
 * from another site signs no one in). The password never leaves Frontdoor except to the directory.
 */
export function ldapFormPage(model: LdapFormModel): SafeHtml {
  const heading = `Sign in with ${model.appName}`;
  return layout(
    { title: heading, area: model.area },
    html`<div class="card">
  <h1>${heading}</h1>
  ${errorBox(model.error)}
  <form class="stack" method="post" action="${model.action}">
    <input type="hidden" name="_csrf" value="${model.csrfToken}">
    <input type="hidden" name="return_to" value="${model.returnTo}">
    <label>Username or email <input type="text" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="${model.username ?? ''}"></label>
    <label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="1024"></label>
    <button type="submit">Sign in</button>
  </form>
</div>`,
  );
}
