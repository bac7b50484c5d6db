import { IMPORT_LIMITS, type ImportPlan, type ImportReport, type ImportRow } from '../../../core/people-import.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { consolePage, listTable, csrfField, textArea, type ConsoleFrame } from './blocks.ts';

// The CSV import of Users: paste, see the plan (what would be created, updated, left alone,
// and each refused row with its reason), then apply that very plan.

const OUTCOME_LABEL: Record<ImportRow['outcome'], MessageKey> = { created: 'console.import.created', updated: 'console.import.updated', unchanged: 'console.import.unchanged', refused: 'console.import.refused' };

function counts(c: ImportPlan['counts'], tense: 'would' | 'did'): SafeHtml {
  return html`<p class="notice" role="status">${t(tense === 'would' ? 'console.import.countsWould' : 'console.import.countsDid', { created: c.created, updated: c.updated, unchanged: c.unchanged, refused: c.refused })}</p>`;
}

const refusedTable = (rows: readonly { line: number; email: string; reason: string; message: string }[]) => rows.length
  ? html`<section class="card" aria-labelledby="refused-h"><h2 id="refused-h">${t('console.import.refusedHeading')}</h2>${listTable([t('console.import.line'), t('console.people.email'), t('console.import.reason')], rows.map((r) => [r.line, r.email, html`<code>${r.reason}</code> ${r.message}`]), { card: false })}</section>`
  : html``;

export function importPage(frame: ConsoleFrame, report: ImportReport | undefined): SafeHtml {
  return consolePage(frame, t('console.import.title'), 'people', html`<h1>${t('console.import.heading')}</h1>
${report ? html`<section aria-labelledby="done-h"><h2 id="done-h">${t('console.import.applied')}</h2>${counts(report, 'did')}${refusedTable(report.refusedRows)}</section>` : ''}
<form class="stack card" method="post" action="/admin/people/users/import/dry-run">${csrfField(frame.csrf)}
<p>${tHtml('console.import.explain', { columns: html`<code>name,email,usergroups</code>`, separator: html`<code>;</code>`, notVerified: html`<strong>${t('console.import.notVerified')}</strong>`, maxRows: IMPORT_LIMITS.maxRows, maxCharacters: IMPORT_LIMITS.maxCharacters })}</p>
${textArea(frame.state, 'csv', 'CSV', '', { rows: 12, placeholder: 'name,email,usergroups\nRobin Reader,robin@example.com,Customers;Beta' })}
<button type="submit">${t('console.import.dryRun')}</button></form>`);
}

export function importPlanPage(frame: ConsoleFrame, csv: string, plan: ImportPlan): SafeHtml {
  const changing = plan.rows.filter((r) => r.outcome !== 'refused');
  return consolePage(frame, t('console.import.planTitle'), 'people', html`<h1>${t('console.import.planHeading')}</h1>
${counts(plan.counts, 'would')}
${refusedTable(plan.rows.flatMap((r) => (r.outcome === 'refused' ? [r] : [])))}
<section class="card" aria-labelledby="plan-h"><h2 id="plan-h">${t('console.import.wouldChange')}</h2>${changing.length ? html`${listTable([t('console.import.line'), t('console.people.name'), t('console.people.email'), t('admin.section.usergroups'), t('console.import.outcome')], changing.map((r) => [r.line, r.name, r.email, r.usergroups ? r.usergroups.join(', ') : html`<span class="muted">${t('console.import.kept')}</span>`, html`${t(OUTCOME_LABEL[r.outcome])}${r.outcome === 'updated' ? html` (${r.changes.map((c) => t('console.import.change', { change: c })).join(', ')})` : ''}`]), { card: false })}` : html`<p class="muted">${t('console.import.nothing')}</p>`}</section>
${plan.counts.created + plan.counts.updated > 0 ? html`<form class="stack card" method="post" action="/admin/people/users/import/apply">${csrfField(frame.csrf)}
<input type="hidden" name="csv" value="${csv}"><input type="hidden" name="plan" value="${plan.fingerprint}">
<p>${t('console.import.applyNote', { created: plan.counts.created, updated: plan.counts.updated })}</p>
<button type="submit">${t('console.import.apply')}</button></form>` : ''}
<p><a href="/admin/people/users/import">${t('console.import.back')}</a></p>`);
}
