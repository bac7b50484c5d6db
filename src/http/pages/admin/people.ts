import type { AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { MIN_SEARCH_LENGTH, primaryEmail, type Person } from '../../../core/people.ts';
import type { Session } from '../../../core/sessions.ts';
import type { Usergroup } from '../../../core/usergroups.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { restrictionBadge } from '../session-marks.ts';
import { actionButton, checkbox, confirmLink, consolePage, listTable, csrfField, textInput, when, type ConsoleFrame, type ViewState } from './blocks.ts';

// The People section: Users and Agents, searched and paged, and one person's page with the
// actions an admin may take on them.

export type PeopleList = {
  audience: Audience;
  query: string;
  /** The search was too short to look up: everyone is listed. */
  tooShort: boolean;
  people: readonly Person[];
  next: URLSearchParams | undefined;
  pending: readonly Person[];
  /** Custom usergroups a new User may join (none for Agents). */
  customGroups: readonly Usergroup[];
};


/** Ticking it vouches for the address: without it the address is unproven (docs/ACCOUNTS.md). */
const verifiedBox = (state: ViewState, checked: boolean) => checkbox(state, 'emailVerified', t('console.people.emailVerified'), checked, {
  hint: t('console.people.emailVerifiedHint'),
});

function groupChoices(groups: readonly Usergroup[], memberOf: ReadonlySet<string>, legend: string): SafeHtml {
  return html`<fieldset><legend>${legend}</legend>
${groups.map((g) => html`<label class="check"><input type="checkbox" name="usergroupIds" value="${g.id}"${memberOf.has(g.id) ? html` checked` : ''}> ${g.name}</label>`)}</fieldset>`;
}

function newPersonForm(frame: ConsoleFrame, audience: Audience, groups: readonly Usergroup[]): SafeHtml {
  const { state } = frame;
  const chosen = new Set((state.values?.usergroupIds ?? '').split('\n').filter(Boolean));
  return html`<form class="stack card" method="post" action="/admin/people/${audience}">${csrfField(frame.csrf)}<h2>${t('console.people.addHeading', { audience })}</h2>
${textInput(state, 'name', t('console.people.name'), '', { required: true })}
${textInput(state, 'email', t('console.people.email'), '', { type: 'email', required: true })}
${verifiedBox(state, false)}
${audience === 'agents' ? checkbox(state, 'isAdmin', t('console.people.admin'), false, { hint: t('console.people.adminHint') }) : ''}
${audience === 'users' && groups.length ? groupChoices(groups, chosen, t('console.people.customGroups')) : ''}
<p class="muted">${t('console.people.addNote')}</p>
<button type="submit">${t('console.people.addButton', { audience })}</button></form>`;
}

export function peoplePage(frame: ConsoleFrame, list: PeopleList): SafeHtml {
  const { audience, query, tooShort, people, next, pending, customGroups } = list;
  return consolePage(frame, t('console.people.audience', { audience }), 'people', html`<h1>${t('admin.section.people')}</h1>
<nav class="tabs" aria-label="${t('console.people.audienceNav')}"><a href="/admin/people/users"${audience === 'users' ? html` aria-current="page"` : ''}>${t('console.people.audience', { audience: 'users' })}</a> <a href="/admin/people/agents"${audience === 'agents' ? html` aria-current="page"` : ''}>${t('console.people.audience', { audience: 'agents' })}</a></nav>
<form class="search" method="get" action="/admin/people/${audience}" role="search"><label for="people-query">${t('console.people.searchLabel', { audience })}</label><input id="people-query" name="query" type="search" value="${query}"><button type="submit" class="secondary">${t('console.people.search')}</button></form>
${tooShort ? html`<p class="error" role="alert">${t('console.people.tooShort', { min: MIN_SEARCH_LENGTH })}</p>` : ''}
${pending.length ? html`<p class="notice">${t('console.people.pending', { count: pending.length })} ${pending.map((p, i) => html`${i ? ', ' : ''}<a href="/admin/people/users/${p.id}">${p.name}</a>`)}</p>` : ''}
${listTable([t('console.people.name'), t('console.people.email'), t('console.people.status')], people.map((p) => [html`<a href="/admin/people/${audience}/${p.id}">${p.name}</a>${p.isAdmin ? html` <span class="badge">${t('console.people.adminBadge')}</span>` : ''}`, primaryEmail(p), statusOf(p)]))}
${people.length === 0 ? html`<p class="muted">${t('console.people.nobody')}</p>` : ''}
${next ? html`<p><a href="/admin/people/${audience}?${next.toString()}">${t('console.people.nextPage')}</a></p>` : ''}
${audience === 'users' ? html`<p><a href="/admin/people/users/import">${t('console.import.heading')}</a></p>` : ''}
${newPersonForm(frame, audience, customGroups)}`);
}

export function personPage(frame: ConsoleFrame, person: Person, sessions: readonly Session[], apps: readonly AuthApp[], customGroups: readonly Usergroup[]): SafeHtml {
  const { csrf } = frame;
  const base = `/admin/people/${person.audience}/${person.id}`;
  const appName = new Map(apps.map((a) => [a.id, a.name]));
  const memberOf = new Set(person.usergroups.map((g) => g.id));
  const primary = person.emails.find((e) => e.primary) ?? person.emails[0]!;
  return consolePage(frame, person.name, 'people', html`<h1>${person.name}</h1>
<p class="muted">${t('console.person.summary', { audience: person.audience, admin: person.isAdmin ? 'yes' : 'no', status: statusOf(person), since: when(person.createdAt) })}</p>
<section class="card" aria-labelledby="emails-h"><h2 id="emails-h">${t('console.person.emailsHeading')}</h2><ul>${person.emails.map((e) => html`<li>${e.email}${e.primary ? ` ${t('console.person.primary')}` : ''} · ${e.verified ? t('console.person.verified') : t('console.person.notVerified')}</li>`)}</ul>
<form class="stack" method="post" action="${base}/profile">${csrfField(csrf)}
${textInput(frame.state, 'name', t('console.people.name'), person.name, { required: true })}
${textInput(frame.state, 'email', t('console.person.primaryEmail'), primary.email, { type: 'email', required: true, hint: t('console.person.primaryEmailHint') })}
${verifiedBox(frame.state, false)}
<button type="submit" class="secondary">${t('console.person.saveProfile')}</button></form></section>
<section class="card" aria-labelledby="ids-h"><h2 id="ids-h">${t('console.person.identities')}</h2>${person.identities.length ? html`<ul>${person.identities.map((i) => html`<li>${appName.get(i.appId) ?? i.appId}: <code>${i.subject}</code></li>`)}</ul>` : html`<p class="muted">${person.hasPassword ? t('console.person.noIdentitiesPassword') : t('console.person.noIdentities')}</p>`}</section>
${person.audience === 'users' ? html`<section class="card" aria-labelledby="groups-h"><h2 id="groups-h">${t('admin.section.usergroups')}</h2>
<p class="muted">${t('console.person.groupsNote')}</p>
${customGroups.length ? html`<form class="stack" method="post" action="${base}/usergroups">${csrfField(csrf)}${groupChoices(customGroups, memberOf, t('console.person.customGroupsOf', { name: person.name }))}
<button type="submit" class="secondary">${t('console.person.saveGroups')}</button></form>` : html`<p>${tHtml('console.person.noCustomGroups', { link: html`<a href="/admin/usergroups">${t('console.person.createOne')}</a>` })}</p>`}</section>` : ''}
<section class="card" aria-labelledby="actions-h"><h2 id="actions-h">${t('console.person.actions')}</h2>
${person.approvalPending ? html`<p>${t('console.person.waiting')}</p>${actionButton(`${base}/approve`, csrf, t('console.person.approve'))} ${confirmLink(`${base}/reject`, t('console.person.reject'))}` : ''}
${person.disabled ? '' : actionButton(`${base}/password-reset`, csrf, t('console.person.sendReset'))}
${person.disabled ? actionButton(`${base}/enable`, csrf, t('console.person.enable')) : confirmLink(`${base}/disable`, t('console.person.disable'))}
${person.twoFactor.methods.length ? confirmLink(`${base}/two-factor/remove`, t('console.person.removeTwoFactorMethods', { methods: person.twoFactor.methods.join(', ') })) : html`<span class="muted">${t('console.person.noSecondFactor')}</span>`}
${person.audience === 'agents' ? (person.isAdmin ? confirmLink(`${base}/admin/remove`, t('console.person.removeAdmin')) : actionButton(`${base}/admin`, csrf, t('console.person.makeAdmin'), { fields: { isAdmin: 'yes' } })) : ''}
</section>
<section class="card" aria-labelledby="sessions-h"><h2 id="sessions-h">${t('console.person.sessions')}</h2>
${sessions.length ? html`${listTable([t('console.person.started'), t('console.person.lastSeen'), t('console.person.address'), t('console.person.via'), { label: t('console.person.actions'), hidden: true }], sessions.map((s) => [when(s.createdAt), when(s.lastSeenAt), s.ip ?? '', html`${s.appId ? (appName.get(s.appId) ?? s.appId) : t('console.person.viaPassword')}${restrictionBadge(s)}`, confirmLink(`${base}/sessions/${s.id}/revoke`, t('console.person.revoke'))]), { card: false })}${confirmLink(`${base}/sessions/revoke-all`, t('console.person.signOutEverywhere'))}` : html`<p class="muted">${t('console.person.noSessions')}</p>`}
</section>${forgetDevicesCard(base, csrf)}`);
}

function statusOf(person: Person): string {
  if (person.disabled) return t('console.status.disabled');
  if (person.approvalPending) return t('console.status.pending');
  if (person.emailValidationPending) return t('console.status.unconfirmed');
  return t('console.status.active');
}

/** Remembered devices (issue 18 part 8): one button that makes every browser of the person ask for the second factor again. */
function forgetDevicesCard(base: string, csrf: string): SafeHtml {
  return html`<section class="card" aria-labelledby="devices-h"><h2 id="devices-h">${t('console.person.devices')}</h2>
<p class="muted">${t('console.person.devicesNote')}</p>
${confirmLink(`${base}/devices/forget`, t('console.person.forgetDevices'))}</section>`;
}
