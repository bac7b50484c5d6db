import type { Article } from '../../core/articles.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageChrome } from './layout.ts';

/** `firstVisit`: no article exists yet, so the page says what to do instead of showing an empty list. */
export function homePage(chrome: PageChrome, articles: Article[], firstVisit = false): SafeHtml {
  return layout(
    chrome,
    html`<h1>Help Center</h1>
${firstVisit ? welcome() : articles.length
  ? html`<ul class="articles">${articles.map((a) => html`<li><a href="/articles/${a.id}">${a.title}</a></li>`)}</ul>`
  : html`<p class="muted">No articles to show${chrome.signedInAs ? '' : html` — <a href="/login">sign in</a> to see more`}.</p>`}`,
  );
}

function welcome(): SafeHtml {
  return html`<section class="card welcome" aria-labelledby="welcome">
<h2 id="welcome">Welcome: this Help Center has no articles yet</h2>
<p>If you run it, this is what to do next:</p>
<ol>
  <li><a href="/admin">Sign in to the admin console</a> as an admin (the first one is made with the setup link the server printed, or <code>npx frontdoor admin create</code>).</li>
  <li>Add articles under <a href="/admin/articles">Articles</a>, and choose who may read each.</li>
  <li>Install how people sign in under <a href="/admin/apps">Auth apps</a>: email and password is there already; add Google, Microsoft, Okta, SAML or JWT.</li>
</ol>
<p class="muted">This note goes away once the first article exists.</p>
</section>`;
}

export function articlePage(chrome: PageChrome, article: Article): SafeHtml {
  return layout(
    chrome,
    html`<article class="card"><h1>${article.title}</h1><div class="article-body">${article.body}</div></article>
<p><a href="/">All articles</a></p>`,
  );
}

export function agentHomePage(chrome: PageChrome, isAdmin: boolean): SafeHtml {
  return layout(
    chrome,
    html`<div class="card"><h1>Agent console</h1>
<p>You are signed in to the agent console.</p>
<p><a href="/agent/account">Your account</a> · <a href="/agent/approvals">Accounts waiting for approval</a></p>
${isAdmin ? html`<p>You are an admin: manage sign-in in the <a href="/admin">admin console</a> or through the <a href="/api/v1/openapi.json">admin API</a>.</p>` : ''}
</div>`,
  );
}
