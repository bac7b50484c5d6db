import { auditKey, type AuditName, type AuditSubject } from '../../../core/audit-names.ts';
import type { AuditEvent } from '../../../core/audit.ts';
import type { Audience } from '../../../core/audience.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { appDisplayName } from '../app-name.ts';
import { consolePage, listTable, select, textInput, when, type ConsoleFrame } from './blocks.ts';
import { LANGUAGE_LABEL, mailKindLabel } from './emails.ts';

const AUDIENCE_NAME: Record<Audience, () => string> = { users: () => t('adminAudit.users'), agents: () => t('adminAudit.agents') };

// The Audit log section: events filtered by action, outcome and audience, newest first.

export type AuditList = {
  /** The filter as applied, and the action as typed (shown back even when it was ignored). */
  filter: { action?: string | undefined; outcome?: string | undefined; audience?: string | undefined };
  typedAction: string | undefined;
  events: readonly AuditEvent[];
  next: URLSearchParams | undefined;
  /** Names of the actors and targets still there (audit-names.ts). */
  names: ReadonlyMap<string, AuditName>;
};

/** Where the console shows a thing of this type. */
function hrefOf(subject: AuditSubject, name: AuditName): string | undefined {
  switch (subject.type) {
    case 'person': return name.audience && `/admin/people/${name.audience}/${subject.id}`;
    case 'session': return name.audience && name.personId && `/admin/people/${name.audience}/${name.personId}`;
    case 'app': return `/admin/apps/${subject.id}`;
    case 'usergroup': return '/admin/usergroups';
    case 'article': return `/admin/articles/${subject.id}`;
    case 'api_key': return '/admin/api-keys';
    case 'mail_template': return `/admin/emails/${subject.id.replace(':', '/')}`;
    default: return undefined;
  }
}

/** A subject by name and link, in the page's language; one that is gone says so, with its id to search for. */
function subjectCell(subject: AuditSubject, names: ReadonlyMap<string, AuditName>): SafeHtml {
  const name = names.get(auditKey(subject));
  if (!name) return html`${t('console.audit.kind', { type: subject.type })} <span class="muted">${t('console.audit.noLongerExists')}</span> <code title="${subject.id}">${subject.id.slice(0, 8)}</code>`;
  const href = hrefOf(subject, name);
  const shown = name.mailTemplate ? `${mailKindLabel(name.mailTemplate.kind)} (${LANGUAGE_LABEL[name.mailTemplate.language]})`
    : name.appType ? appDisplayName({ type: name.appType, name: name.name }) : name.name;
  return tHtml('console.audit.named', { type: subject.type, name: href ? html`<a href="${href}">${shown}</a>` : html`${shown}` });
}

function actorCell(actor: AuditEvent['actor'], names: ReadonlyMap<string, AuditName>): SafeHtml {
  if (!actor.id) return html`${t('console.audit.kind', { type: actor.type })}`;
  return subjectCell({ type: actor.type, id: actor.id }, names);
}

export function auditPage(frame: ConsoleFrame, { filter, typedAction, events, next, names }: AuditList): SafeHtml {
  return consolePage(frame, t('admin.section.audit'), 'audit', html`<h1>${t('admin.section.audit')}</h1>
<form class="filters card" method="get" action="/admin/audit" role="search">
${textInput({}, 'action', t('adminAudit.action'), filter.action ?? typedAction ?? '')}
${select({}, 'outcome', t('adminAudit.outcome'), filter.outcome ?? '', [['', t('adminAudit.any')], ['success', t('console.outcome', { outcome: 'success' })], ['failure', t('console.outcome', { outcome: 'failure' })]])}
${select({}, 'audience', t('adminAudit.audience'), filter.audience ?? '', [['', t('adminAudit.any')], ['users', t('adminAudit.users')], ['agents', t('adminAudit.agents')]])}
<button type="submit" class="secondary">${t('adminAudit.filter')}</button></form>
${typedAction && !filter.action ? html`<p class="error" role="alert">${t('adminAudit.ignored')}</p>` : ''}
${listTable([t('adminAudit.when'), t('adminAudit.actionColumn'), t('adminAudit.outcome'), t('adminAudit.audience'), t('adminAudit.actor'), t('adminAudit.target')], events.map((e) => [when(e.at), html`<code>${e.action}</code>`, html`${t('console.outcome', { outcome: e.outcome })}${e.reason ? html` <code>${e.reason}</code>` : ''}`, e.audience ? AUDIENCE_NAME[e.audience]() : '', actorCell(e.actor, names), e.target ? subjectCell(e.target, names) : '']))}
${events.length === 0 ? html`<p class="muted">${t('adminAudit.none')}</p>` : ''}
${next ? html`<p><a href="/admin/audit?${next.toString()}">${t('adminAudit.older')}</a></p>` : ''}`);
}
