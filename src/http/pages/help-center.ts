import type { Article } from '../../core/articles.ts';
import { tHtml } from '../../i18n/rich.ts';
import { t } from '../../i18n/t.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageChrome } from './layout.ts';

/** `firstVisit`: no article exists yet, so the page says what to do instead of showing an empty list. */
export function homePage(chrome: PageChrome, articles: Article[], firstVisit = false): SafeHtml {
  return layout(
    chrome,
    html`<h1>${t('area.helpCenter')}</h1>
${firstVisit ? welcome() : articles.length
  ? html`<ul class="articles">${articles.map((a) => html`<li><a href="/articles/${a.id}">${a.title}</a></li>`)}</ul>`
  : html`<p class="muted">${chrome.signedInAs ? t('help.noArticles') : tHtml('help.noArticlesSignIn', { link: html`<a href="/login">${t('help.signInLink')}</a>` })}</p>`}`,
  );
}

function welcome(): SafeHtml {
  return html`<section class="card welcome" aria-labelledby="welcome">
<h2 id="welcome">${t('help.welcome')}</h2>
<p>${t('help.welcomeIntro')}</p>
<ol>
  <li>${tHtml('help.welcomeStep1', { link: html`<a href="/admin">${t('help.welcomeStep1Link')}</a>`, command: html`<code>npx frontdoor admin create</code>` })}</li>
  <li>${tHtml('help.welcomeStep2', { link: html`<a href="/admin/articles">${t('admin.section.articles')}</a>` })}</li>
  <li>${tHtml('help.welcomeStep3', { link: html`<a href="/admin/apps">${t('admin.section.apps')}</a>` })}</li>
</ol>
<p class="muted">${t('help.welcomeGone')}</p>
</section>`;
}

export function articlePage(chrome: PageChrome, article: Article): SafeHtml {
  return layout(
    chrome,
    html`<article class="card"><h1>${article.title}</h1><div class="article-body">${article.body}</div></article>
<p><a href="/">${t('help.allArticles')}</a></p>`,
  );
}

export function agentHomePage(chrome: PageChrome, isAdmin: boolean): SafeHtml {
  return layout(
    chrome,
    html`<div class="card"><h1>${t('agent.heading')}</h1>
<p>${t('agent.signedIn')}</p>
<p><a href="/agent/account">${t('header.account')}</a> · <a href="/agent/approvals">${t('agent.approvals')}</a></p>
${isAdmin ? html`<p>${tHtml('agent.admin', { console: html`<a href="/admin">${t('agent.adminConsole')}</a>`, api: html`<a href="/api/v1/openapi.json">${t('agent.adminApi')}</a>` })}</p>` : ''}
</div>`,
  );
}
