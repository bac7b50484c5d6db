import type { UsergroupRemovalImpact } from '../../../core/usergroup-removal.ts';
import type { Usergroup } from '../../../core/usergroups.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { confirmLink, consolePage, listTable, csrfField, textInput, type ConsoleFrame } from './blocks.ts';

// The Usergroups section: the built-in groups, and custom ones to create, rename and delete.

export function usergroupsPage(frame: ConsoleFrame, groups: readonly Usergroup[]): SafeHtml {
  const { csrf } = frame;
  return consolePage(frame, t('adminUsergroups.heading'), 'usergroups', html`<h1>${t('adminUsergroups.heading')}</h1>
<p class="muted">${t('adminUsergroups.builtInNote')}</p>
${listTable([t('adminUsergroups.name'), t('adminUsergroups.members'), t('adminUsergroups.actions')], groups.map((g) => [html`${g.name}${g.system ? html` <span class="badge">${t('adminUsergroups.builtIn')}</span>` : ''}`, g.system ? '—' : g.memberCount, g.system ? '' : html`
<form class="inline" method="post" action="/admin/usergroups/${g.id}/rename">${csrfField(csrf)}<label class="visually-hidden" for="rename-${g.id}">${t('adminUsergroups.newName', { name: g.name })}</label><input id="rename-${g.id}" name="name" type="text" value="${g.name}" required><button type="submit" class="secondary">${t('adminUsergroups.rename')}</button></form>
${confirmLink(`/admin/usergroups/${g.id}/remove`, t('adminUsergroups.delete', { name: g.name }))}`]))}
<form class="stack card" method="post" action="/admin/usergroups">${csrfField(csrf)}<h2>${t('adminUsergroups.new')}</h2>
${textInput(frame.state, 'name', t('adminUsergroups.name'), '', { required: true })}<button type="submit">${t('adminUsergroups.create')}</button></form>`);
}

export function usergroupRemovalTakes(impact: UsergroupRemovalImpact): SafeHtml[] {
  return [
    html`${t('console.confirm.groupMembers', { count: impact.members })}`,
    impact.becomeAdminsOnly.length
      ? tHtml('console.confirm.groupAdminsOnly', { count: impact.becomeAdminsOnly.length, articles: html`${impact.becomeAdminsOnly.map((a, i) => html`${i ? ', ' : ''}<a href="/admin/articles/${a.id}">${a.title}</a>`)}` })
      : html`${t('console.confirm.groupNoAdminsOnly')}`,
    ...(impact.alsoReadByOthers ? [html`${t('console.confirm.groupOthers', { count: impact.alsoReadByOthers })}`] : []),
  ];
}
