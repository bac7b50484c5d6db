import type { AuditEvent } from '../../../core/audit.ts';
import { html, type SafeHtml } from '../../html.ts';
import { consolePage, select, textInput, when, type ConsoleFrame } from './blocks.ts';

// The Audit log section: events filtered by action, outcome and audience, newest first.

export type AuditList = {
  /** The filter as applied, and the action as typed (shown back even when it was ignored). */
  filter: { action?: string | undefined; outcome?: string | undefined; audience?: string | undefined };
  typedAction: string | undefined;
  events: readonly AuditEvent[];
  next: URLSearchParams | undefined;
};

export function auditPage(frame: ConsoleFrame, { filter, typedAction, events, next }: AuditList): SafeHtml {
  return consolePage(frame, 'Audit log', 'audit', html`<h1>Audit log</h1>
<form class="filters card" method="get" action="/admin/audit" role="search">
${textInput({}, 'action', 'Action (signin.* for a prefix)', filter.action ?? typedAction ?? '')}
${select({}, 'outcome', 'Outcome', filter.outcome ?? '', [['', 'any'], ['success', 'success'], ['failure', 'failure']])}
${select({}, 'audience', 'Audience', filter.audience ?? '', [['', 'any'], ['users', 'Users'], ['agents', 'Agents']])}
<button type="submit" class="secondary">Filter</button></form>
${typedAction && !filter.action ? html`<p class="error" role="alert">The action filter was ignored: use letters, dots and underscores, with an optional * at the end.</p>` : ''}
<div class="table-wrap card"><table class="list"><thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Audience</th><th scope="col">Actor</th><th scope="col">Target</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${when(e.at)}</td><td><code>${e.action}</code></td><td>${e.outcome}${e.reason ? html` <code>${e.reason}</code>` : ''}</td><td>${e.audience ?? ''}</td><td>${e.actor.type}${e.actor.id ? html` <code>${e.actor.id.slice(0, 8)}</code>` : ''}</td><td>${e.target ? html`${e.target.type} <code>${e.target.id.slice(0, 8)}</code>` : ''}</td></tr>`)}
</tbody></table>${events.length === 0 ? html`<p class="muted">No events match.</p>` : ''}</div>
${next ? html`<p><a href="/admin/audit?${next.toString()}">Older events</a></p>` : ''}`);
}
