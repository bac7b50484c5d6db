import type { Article } from '../../core/articles.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageChrome } from './layout.ts';

export function homePage(chrome: PageChrome, articles: Article[]): SafeHtml {
  return layout(
    chrome,
    html`<h1>Help Center</h1>
${articles.length
  ? html`<ul class="articles">${articles.map((a) => html`<li><a href="/articles/${a.id}">${a.title}</a></li>`)}</ul>`
  : html`<p class="muted">No articles to show${chrome.signedInAs ? '' : html` — <a href="/login">sign in</a> to see more`}.</p>`}`,
  );
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
