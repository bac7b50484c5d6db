import type { AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { MIN_SEARCH_LENGTH, primaryEmail, type Person } from '../../../core/people.ts';
import type { Session } from '../../../core/sessions.ts';
import type { Usergroup } from '../../../core/usergroups.ts';
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

const NOUN: Record<Audience, string> = { users: 'User', agents: 'Agent' };

/** Ticking it vouches for the address: without it the address is unproven (docs/ACCOUNTS.md). */
const verifiedBox = (state: ViewState, checked: boolean) => checkbox(state, 'emailVerified', 'The email is verified', checked, {
  hint: 'Tick only if you know this address is theirs: an external sign-in with this email may then join the account.',
});

function groupChoices(groups: readonly Usergroup[], memberOf: ReadonlySet<string>, legend: string): SafeHtml {
  return html`<fieldset><legend>${legend}</legend>
${groups.map((g) => html`<label class="check"><input type="checkbox" name="usergroupIds" value="${g.id}"${memberOf.has(g.id) ? html` checked` : ''}> ${g.name}</label>`)}</fieldset>`;
}

function newPersonForm(frame: ConsoleFrame, audience: Audience, groups: readonly Usergroup[]): SafeHtml {
  const { state } = frame;
  const chosen = new Set((state.values?.usergroupIds ?? '').split('\n').filter(Boolean));
  return html`<form class="stack card" method="post" action="/admin/people/${audience}">${csrfField(frame.csrf)}<h2>Add a${audience === 'agents' ? 'n' : ''} ${NOUN[audience]}</h2>
${textInput(state, 'name', 'Name', '', { required: true })}
${textInput(state, 'email', 'Email', '', { type: 'email', required: true })}
${verifiedBox(state, false)}
${audience === 'agents' ? checkbox(state, 'isAdmin', 'Admin', false, { hint: 'Admins open this console and change every setting.' }) : ''}
${audience === 'users' && groups.length ? groupChoices(groups, chosen, 'Custom usergroups') : ''}
<p class="muted">They set a password through the reset link you can send from their page, or sign in through an app.</p>
<button type="submit">Add ${NOUN[audience]}</button></form>`;
}

export function peoplePage(frame: ConsoleFrame, list: PeopleList): SafeHtml {
  const { audience, query, tooShort, people, next, pending, customGroups } = list;
  return consolePage(frame, audience === 'users' ? 'Users' : 'Agents', 'people', html`<h1>People</h1>
<nav class="tabs" aria-label="Audience"><a href="/admin/people/users"${audience === 'users' ? html` aria-current="page"` : ''}>Users</a> <a href="/admin/people/agents"${audience === 'agents' ? html` aria-current="page"` : ''}>Agents</a></nav>
<form class="search" method="get" action="/admin/people/${audience}" role="search"><label for="people-query">Search ${audience === 'users' ? 'Users' : 'Agents'} by name or email</label><input id="people-query" name="query" type="search" value="${query}"><button type="submit" class="secondary">Search</button></form>
${tooShort ? html`<p class="error" role="alert">Search needs at least ${MIN_SEARCH_LENGTH} characters; everyone is listed.</p>` : ''}
${pending.length ? html`<p class="notice">${pending.length} waiting for approval: ${pending.map((p, i) => html`${i ? ', ' : ''}<a href="/admin/people/users/${p.id}">${p.name}</a>`)}</p>` : ''}
${listTable(['Name', 'Email', 'Status'], people.map((p) => [html`<a href="/admin/people/${audience}/${p.id}">${p.name}</a>${p.isAdmin ? html` <span class="badge">admin</span>` : ''}`, primaryEmail(p), statusOf(p)]))}
${people.length === 0 ? html`<p class="muted">Nobody found.</p>` : ''}
${next ? html`<p><a href="/admin/people/${audience}?${next.toString()}">Next page</a></p>` : ''}
${audience === 'users' ? html`<p><a href="/admin/people/users/import">Import Users from CSV</a></p>` : ''}
${newPersonForm(frame, audience, customGroups)}`);
}

export function personPage(frame: ConsoleFrame, person: Person, sessions: readonly Session[], apps: readonly AuthApp[], customGroups: readonly Usergroup[]): SafeHtml {
  const { csrf } = frame;
  const base = `/admin/people/${person.audience}/${person.id}`;
  const appName = new Map(apps.map((a) => [a.id, a.name]));
  const memberOf = new Set(person.usergroups.map((g) => g.id));
  const primary = person.emails.find((e) => e.primary) ?? person.emails[0]!;
  return consolePage(frame, person.name, 'people', html`<h1>${person.name}</h1>
<p class="muted">${person.audience === 'users' ? 'User' : 'Agent'}${person.isAdmin ? ', admin' : ''} · ${statusOf(person)} · since ${when(person.createdAt)}</p>
<section class="card" aria-labelledby="emails-h"><h2 id="emails-h">Name and emails</h2><ul>${person.emails.map((e) => html`<li>${e.email}${e.primary ? ' (primary)' : ''}${e.verified ? ' · verified' : ' · not verified'}</li>`)}</ul>
<form class="stack" method="post" action="${base}/profile">${csrfField(csrf)}
${textInput(frame.state, 'name', 'Name', person.name, { required: true })}
${textInput(frame.state, 'email', 'Primary email', primary.email, { type: 'email', required: true, hint: 'A new address is not verified unless you tick the box; an unchanged one keeps its state.' })}
${verifiedBox(frame.state, false)}
<button type="submit" class="secondary">Save name and email</button></form></section>
<section class="card" aria-labelledby="ids-h"><h2 id="ids-h">Linked identities</h2>${person.identities.length ? html`<ul>${person.identities.map((i) => html`<li>${appName.get(i.appId) ?? i.appId}: <code>${i.subject}</code></li>`)}</ul>` : html`<p class="muted">None: ${person.hasPassword ? 'signs in with a password' : 'no sign-in yet'}.</p>`}</section>
${person.audience === 'users' ? html`<section class="card" aria-labelledby="groups-h"><h2 id="groups-h">Usergroups</h2>
<p class="muted">Everyone and Registered apply to every User; choose the custom ones.</p>
${customGroups.length ? html`<form class="stack" method="post" action="${base}/usergroups">${csrfField(csrf)}${groupChoices(customGroups, memberOf, `Custom usergroups of ${person.name}`)}
<button type="submit" class="secondary">Save usergroups</button></form>` : html`<p>There are no custom usergroups yet: <a href="/admin/usergroups">create one</a>.</p>`}</section>` : ''}
<section class="card" aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>
${person.approvalPending ? html`<p>Waiting for approval.</p>${actionButton(`${base}/approve`, csrf, 'Approve')} ${confirmLink(`${base}/reject`, 'Reject')}` : ''}
${person.disabled ? '' : actionButton(`${base}/password-reset`, csrf, 'Send a password-reset link')}
${person.disabled ? actionButton(`${base}/enable`, csrf, 'Enable') : confirmLink(`${base}/disable`, 'Disable')}
${person.twoFactor.methods.length ? confirmLink(`${base}/two-factor/remove`, `Remove two-factor (${person.twoFactor.methods.join(', ')})`) : html`<span class="muted">No second factor set up.</span>`}
${person.audience === 'agents' ? (person.isAdmin ? confirmLink(`${base}/admin/remove`, 'Remove admin rights') : actionButton(`${base}/admin`, csrf, 'Make admin', { fields: { isAdmin: 'yes' } })) : ''}
</section>
<section class="card" aria-labelledby="sessions-h"><h2 id="sessions-h">Sessions</h2>
${sessions.length ? html`${listTable(['Started', 'Last seen', 'Address', 'Via', { label: 'Actions', hidden: true }], sessions.map((s) => [when(s.createdAt), when(s.lastSeenAt), s.ip ?? '', html`${s.appId ? (appName.get(s.appId) ?? s.appId) : 'password'}${restrictionBadge(s)}`, confirmLink(`${base}/sessions/${s.id}/revoke`, 'Revoke')]), { card: false })}${confirmLink(`${base}/sessions/revoke-all`, 'Sign out everywhere')}` : html`<p class="muted">No live sessions.</p>`}
</section>${forgetDevicesCard(base, csrf)}`);
}

function statusOf(person: Person): string {
  if (person.disabled) return 'disabled';
  if (person.approvalPending) return 'waiting for approval';
  if (person.emailValidationPending) return 'email not confirmed';
  return 'active';
}

/** Remembered devices (issue 18 part 8): one button that makes every browser of the person ask for the second factor again. */
function forgetDevicesCard(base: string, csrf: string): SafeHtml {
  return html`<section class="card" aria-labelledby="devices-h"><h2 id="devices-h">Remembered devices</h2>
<p class="muted">Browsers where this person ticked "Remember this device" skip the second factor until they expire.</p>
${confirmLink(`${base}/devices/forget`, 'Forget remembered devices')}</section>`;
}
