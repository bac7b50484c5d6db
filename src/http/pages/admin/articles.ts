import type { Article } from '../../../core/articles.ts';
import type { Usergroup } from '../../../core/usergroups.ts';
import { html, type SafeHtml } from '../../html.ts';
import { actionButton, confirmLink, consolePage, listTable, csrfField, textArea, textInput, type ConsoleFrame } from './blocks.ts';

// The Articles section: the list, and one form to create or edit an article and who may read it.

export function articlesPage(frame: ConsoleFrame, articles: readonly Article[], groups: readonly Usergroup[]): SafeHtml {
  const names = new Map(groups.map((g) => [g.id, g.name]));
  return consolePage(frame, 'Articles', 'articles', html`<h1>Help Center articles</h1>
<p><a class="button" href="/admin/articles/new">New article</a></p>
${listTable(['Title', 'Who may read it'], articles.map((a) => [html`<a href="/admin/articles/${a.id}">${a.title}</a>`, a.usergroupIds.map((id) => names.get(id) ?? id).join(', ') || html`<span class="muted">nobody (admins only)</span>`]))}`);
}

export function articleFormPage(frame: ConsoleFrame, article: Article | undefined, groups: readonly Usergroup[]): SafeHtml {
  const { state, csrf } = frame;
  const chosen = new Set(state.values ? (state.values.usergroupIds ?? '').split('\n') : (article?.usergroupIds ?? []));
  return consolePage(frame, article ? article.title : 'New article', 'articles', html`<h1>${article ? html`Edit “${article.title}”` : 'New article'}</h1>
<form class="stack card" method="post" action="${article ? `/admin/articles/${article.id}` : '/admin/articles'}">${csrfField(csrf)}
${textInput(state, 'title', 'Title', article?.title, { required: true })}
${textArea(state, 'body', 'Body', article?.body, { rows: 10 })}
<fieldset><legend>Who may read it</legend>
${groups.map((g) => html`<label class="check"><input type="checkbox" name="usergroupIds" value="${g.id}"${chosen.has(g.id) ? html` checked` : ''}> ${g.name}</label>`)}</fieldset>
<button type="submit">${article ? 'Save article' : 'Create article'}</button></form>
${article ? html`<div class="card">${confirmLink(`/admin/articles/${article.id}/remove`, 'Delete this article')}</div>` : ''}`);
}
