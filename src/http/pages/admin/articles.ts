import type { Article } from '../../../core/articles.ts';
import type { Usergroup } from '../../../core/usergroups.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { actionButton, confirmLink, consolePage, listTable, csrfField, textArea, textInput, type ConsoleFrame } from './blocks.ts';

// The Articles section: the list, and one form to create or edit an article and who may read it.

export function articlesPage(frame: ConsoleFrame, articles: readonly Article[], groups: readonly Usergroup[]): SafeHtml {
  const names = new Map(groups.map((g) => [g.id, g.name]));
  return consolePage(frame, t('admin.section.articles'), 'articles', html`<h1>${t('adminArticles.heading')}</h1>
<p><a class="button" href="/admin/articles/new">${t('adminArticles.new')}</a></p>
${listTable([t('adminArticles.title'), t('adminArticles.readers')], articles.map((a) => [html`<a href="/admin/articles/${a.id}">${a.title}</a>`, a.usergroupIds.map((id) => names.get(id) ?? id).join(', ') || html`<span class="muted">${t('adminArticles.nobody')}</span>`]))}`);
}

export function articleFormPage(frame: ConsoleFrame, article: Article | undefined, groups: readonly Usergroup[]): SafeHtml {
  const { state, csrf } = frame;
  const chosen = new Set(state.values ? (state.values.usergroupIds ?? '').split('\n') : (article?.usergroupIds ?? []));
  return consolePage(frame, article ? article.title : t('adminArticles.new'), 'articles', html`<h1>${article ? t('adminArticles.edit', { title: article.title }) : t('adminArticles.new')}</h1>
<form class="stack card" method="post" action="${article ? `/admin/articles/${article.id}` : '/admin/articles'}">${csrfField(csrf)}
${textInput(state, 'title', t('adminArticles.title'), article?.title, { required: true })}
${textArea(state, 'body', t('adminArticles.body'), article?.body, { rows: 10 })}
<fieldset><legend>${t('adminArticles.readers')}</legend>
${groups.map((g) => html`<label class="check"><input type="checkbox" name="usergroupIds" value="${g.id}"${chosen.has(g.id) ? html` checked` : ''}> ${g.name}</label>`)}</fieldset>
<button type="submit">${article ? t('adminArticles.save') : t('adminArticles.create')}</button></form>
${article ? html`<div class="card">${confirmLink(`/admin/articles/${article.id}/remove`, t('adminArticles.delete'))}</div>` : ''}`);
}
