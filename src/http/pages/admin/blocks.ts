import type { AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import type { FrontdoorError } from '../../../core/errors.ts';
import type { FieldProblem } from '../../../core/field-problems.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { errorMessage } from '../../../i18n/error-messages.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { layout } from '../layout.ts';
import { problemInPageLanguage } from './app-problems.ts';

// The admin console's building blocks: the section navigation, refusals shown with their
// stable code and each field's problem next to the field, and small form controls that
// always carry a label. Every page works as plain HTML; the one script, /assets/console.js
// (served from our origin, so the strict CSP holds), only adds validation as you type and copy buttons.

export type AdminSection = 'apps' | 'registration' | 'sessions' | 'languages' | 'brand' | 'emails' | 'usergroups' | 'articles' | 'people' | 'audit' | 'sso-traces' | 'api-keys' | 'scim';

const SECTIONS: { id: AdminSection; href: string; label: MessageKey }[] = [
  { id: 'apps', href: '/admin/apps', label: 'admin.section.apps' },
  { id: 'registration', href: '/admin/settings/registration', label: 'admin.section.registration' },
  { id: 'sessions', href: '/admin/settings/sessions', label: 'admin.section.sessions' },
  { id: 'languages', href: '/admin/settings/languages', label: 'admin.section.languages' },
  { id: 'brand', href: '/admin/brand', label: 'admin.section.brand' },
  { id: 'emails', href: '/admin/emails', label: 'admin.section.emails' },
  { id: 'usergroups', href: '/admin/usergroups', label: 'admin.section.usergroups' },
  { id: 'articles', href: '/admin/articles', label: 'admin.section.articles' },
  { id: 'people', href: '/admin/people/users', label: 'admin.section.people' },
  { id: 'audit', href: '/admin/audit', label: 'admin.section.audit' },
  { id: 'sso-traces', href: '/admin/sso-traces', label: 'admin.section.ssoTraces' },
  { id: 'api-keys', href: '/admin/api-keys', label: 'admin.section.apiKeys' },
  { id: 'scim', href: '/admin/scim', label: 'admin.section.scim' },
];

/** What a console page may show besides its content: a refusal, a notice, the values sent. */
export type ViewState = { error?: FrontdoorError | undefined; notice?: string | undefined; values?: Record<string, string> | undefined };

/** Who is looking and what the last request left behind: what every console page is drawn with. */
export type ConsoleFrame = { csrf: string; signedInAs: string; state: ViewState };

export function consolePage(frame: ConsoleFrame, title: string, section: AdminSection, body: SafeHtml): SafeHtml {
  const { state } = frame;
  return layout(
    { title, area: 'admin', signedInAs: frame.signedInAs, csrfToken: frame.csrf },
    html`<nav class="admin-nav" aria-label="${t('admin.sections')}"><ul>
${SECTIONS.map((s) => html`<li><a href="${s.href}"${s.id === section ? html` aria-current="page"` : ''}>${t(s.label)}</a></li>`)}
</ul></nav>
${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
${errorBox(state.error)}
${body}`,
  );
}

/** The console lists Users before Agents. */
export const CONSOLE_AUDIENCES = ['users', 'agents'] as const;
/** An audience as the console names it, in the page's language. */
export const audienceLabel = (audience: Audience): string => t('console.audienceLabel', { audience });
/** The same, looked up by key where a page indexes it: each read is in the language of the page being drawn. */
export const AUDIENCE_LABEL: Readonly<Record<Audience, string>> = Object.defineProperties({} as Record<Audience, string>, {
  users: { get: () => audienceLabel('users'), enumerable: true },
  agents: { get: () => audienceLabel('agents'), enumerable: true },
});

const problemsOf = (error: FrontdoorError | undefined): FieldProblem[] =>
  Array.isArray(error?.details?.fields) ? (error.details.fields as FieldProblem[]) : [];

export function errorBox(error: FrontdoorError | undefined): SafeHtml {
  if (!error) return html``;
  const problems = problemsOf(error);
  return html`<div class="error" role="alert">
<p>${errorMessage(error)}</p>
<p class="muted">${tHtml('admin.errorCode', { code: html`<code>${error.code}</code>` })}</p>
${problems.length ? html`<ul>${problems.map((p) => html`<li><code>${p.field}</code>: ${problemInPageLanguage(p)}</li>`)}</ul>` : ''}
</div>`;
}

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The problem the last refusal found with this field (its zod path), shown next to it. */
function fieldProblem(state: ViewState, name: string): SafeHtml {
  const found = problemsOf(state.error).filter((p) => p.field === name || p.field.startsWith(`${name}.`));
  if (!found.length) return html``;
  return html`<span class="field-error" id="${idOf(name)}-error"><code>${name}</code>: ${found.map((p) => problemInPageLanguage(p)).join('; ')}</span>`;
}
const describedBy = (state: ViewState, name: string) =>
  problemsOf(state.error).some((p) => p.field === name || p.field.startsWith(`${name}.`)) ? html` aria-describedby="${idOf(name)}-error" aria-invalid="true"` : '';

type InputOptions = {
  type?: 'text' | 'url' | 'number' | 'password' | 'search' | 'email';
  required?: boolean; hint?: string | undefined; placeholder?: string | undefined; min?: number; max?: number; autocomplete?: string;
};

export function textInput(state: ViewState, name: string, label: string, value: string | undefined, options: InputOptions = {}): SafeHtml {
  const shown = state.values?.[name] ?? value ?? '';
  return html`<label for="${idOf(name)}">${label}${options.required ? html` <span class="muted">${t('admin.required')}</span>` : ''}
<input id="${idOf(name)}" name="${name}" type="${options.type ?? 'text'}" value="${options.type === 'password' ? '' : shown}"${options.required ? html` required` : ''}${options.placeholder ? html` placeholder="${options.placeholder}"` : ''}${options.min !== undefined ? html` min="${options.min}"` : ''}${options.max !== undefined ? html` max="${options.max}"` : ''} autocomplete="${options.autocomplete ?? 'off'}"${describedBy(state, name)}>
${options.hint ? html`<span class="muted">${options.hint}</span>` : ''}${fieldProblem(state, name)}</label>`;
}

export function textArea(state: ViewState, name: string, label: string, value: string | undefined, options: { hint?: string | undefined; rows?: number; placeholder?: string | undefined } = {}): SafeHtml {
  return html`<label for="${idOf(name)}">${label}
<textarea id="${idOf(name)}" name="${name}" rows="${options.rows ?? 4}"${options.placeholder ? html` placeholder="${options.placeholder}"` : ''}${describedBy(state, name)}>${state.values?.[name] ?? value ?? ''}</textarea>
${options.hint ? html`<span class="muted">${options.hint}</span>` : ''}${fieldProblem(state, name)}</label>`;
}

export function checkbox(state: ViewState, name: string, label: string, checked: boolean, options: { value?: string; hint?: string } = {}): SafeHtml {
  const on = state.values ? state.values[name] !== undefined : checked;
  return html`<label class="check"><input type="checkbox" name="${name}" value="${options.value ?? 'on'}"${on ? html` checked` : ''}> ${label}${options.hint ? html` <span class="muted">${options.hint}</span>` : ''}</label>${fieldProblem(state, name)}`;
}

export function select(state: ViewState, name: string, label: string, value: string, choices: readonly (readonly [string, string])[], hint?: string): SafeHtml {
  const chosen = state.values?.[name] ?? value;
  return html`<label for="${idOf(name)}">${label}
<select id="${idOf(name)}" name="${name}"${describedBy(state, name)}>${choices.map(([v, text]) => html`<option value="${v}"${v === chosen ? html` selected` : ''}>${text}</option>`)}</select>
${hint ? html`<span class="muted">${hint}</span>` : ''}${fieldProblem(state, name)}</label>`;
}

export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

/** A one-button form (revoke, remove, approve...): POST with CSRF, keyboard reachable like any button. */
export function actionButton(action: string, csrf: string, label: string, options: { danger?: boolean; fields?: Record<string, string> } = {}): SafeHtml {
  return html`<form class="inline" method="post" action="${action}">${csrfField(csrf)}${Object.entries(options.fields ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit" class="${options.danger ? 'danger' : 'secondary'}">${label}</button></form>`;
}

export function ssoBadge(app: AuthApp): SafeHtml {
  if (app.type === 'password') return html`<span class="badge">${t('console.badge.loginForm')}</span>`;
  return app.sso === 'automatic'
    ? html`<span class="badge automatic">${t('console.badge.automatic')}</span>`
    : html`<span class="badge">${app.showButton ? t('console.badge.button') : t('console.badge.disabledSso')}</span>`;
}

export const yesNo = (value: boolean) => (value ? t('admin.yes') : t('admin.no'));

/**
 * Values to paste elsewhere: read-only inputs, so they can be selected and copied whole without
 * script; console.js shows each Copy button (hidden until then) and refreshes the values as the
 * install form changes (data-copy names the label, as POST /admin/apps/validate answers).
 */
export function copyList(values: Record<string, string>, labels: Record<string, string>): SafeHtml {
  return html`<dl class="copy">${Object.entries(values).map(([key, value]) => {
    const id = idOf(`copy-${key}`);
    const label = labels[key] ?? key;
    const field = value.includes('\n')
      ? html`<textarea id="${id}" readonly rows="4" data-copy="${label}">${value}</textarea>`
      : html`<input id="${id}" type="text" readonly value="${value}" data-copy="${label}">`;
    return html`<dt><label for="${id}">${label}</label></dt><dd>${field}<button type="button" class="secondary copy-button" data-copy-from="${id}" data-copied="${t('console.copied')}" data-selected="${t('console.copySelected')}" hidden>${t('console.copy')}</button></dd>`;
  })}</dl>`;
}

export const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '');

/** What a destructive action takes with it, said before it is done (issue 18 part 4). */
export type Confirmation = {
  section: AdminSection;
  title: string;
  /** Each thing the action removes or ends, one a line. */
  takes: readonly (SafeHtml | string)[];
  button: string;
  /** Where "Cancel" goes: the page the action started from. */
  cancel: string;
};

/** The one step between a destructive button and the change: no script, a page of its own. */
export function confirmPage(frame: ConsoleFrame, action: string, confirmation: Confirmation): SafeHtml {
  return consolePage(frame, confirmation.title, confirmation.section, html`<h1>${confirmation.title}</h1>
<section class="card" aria-labelledby="takes-h"><h2 id="takes-h">${t('admin.confirmTakes')}</h2>
<ul>${confirmation.takes.map((t) => html`<li>${t}</li>`)}</ul>
<form class="inline" method="post" action="${action}">${csrfField(frame.csrf)}<input type="hidden" name="confirm" value="yes"><button type="submit" class="danger">${confirmation.button}</button></form>
<a class="button secondary" href="${confirmation.cancel}">${t('admin.cancel')}</a></section>`);
}

/** A destructive action's button: a link to its confirmation page, never the change itself. */
export const confirmLink = (href: string, label: string) => html`<a class="button danger" href="${href}">${label}</a>`;

// The shared list table (list-table.ts), re-exported for the console's pages.
export { listTable, type ListColumn, type ListRow } from '../list-table.ts';
