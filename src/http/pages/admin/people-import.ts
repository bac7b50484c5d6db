import { IMPORT_LIMITS, type ImportPlan, type ImportReport, type ImportRow } from '../../../core/people-import.ts';
import { html, type SafeHtml } from '../../html.ts';
import { consolePage, listTable, csrfField, textArea, type ConsoleFrame } from './blocks.ts';

// The CSV import of Users: paste, see the plan (what would be created, updated, left alone,
// and each refused row with its reason), then apply that very plan.

const OUTCOME_LABEL: Record<ImportRow['outcome'], string> = { created: 'created', updated: 'updated', unchanged: 'unchanged', refused: 'refused' };

function counts(c: ImportPlan['counts'], tense: 'would' | 'did'): SafeHtml {
  const verb = tense === 'would' ? 'would be' : 'were';
  return html`<p class="notice" role="status">${c.created} ${verb} created, ${c.updated} updated, ${c.unchanged} unchanged; ${c.refused} refused.</p>`;
}

const refusedTable = (rows: readonly { line: number; email: string; reason: string; message: string }[]) => rows.length
  ? html`<section class="card" aria-labelledby="refused-h"><h2 id="refused-h">Rows refused</h2>${listTable(['Line', 'Email', 'Reason'], rows.map((r) => [r.line, r.email, html`<code>${r.reason}</code> ${r.message}`]), { card: false })}</section>`
  : html``;

export function importPage(frame: ConsoleFrame, report: ImportReport | undefined): SafeHtml {
  return consolePage(frame, 'Import Users', 'people', html`<h1>Import Users from CSV</h1>
${report ? html`<section aria-labelledby="done-h"><h2 id="done-h">Import applied</h2>${counts(report, 'did')}${refusedTable(report.refusedRows)}</section>` : ''}
<form class="stack card" method="post" action="/admin/people/users/import/dry-run">${csrfField(frame.csrf)}
<p>The first line names the columns: <code>name,email,usergroups</code> (usergroups optional, several separated by <code>;</code>). A User is matched by email: their name and custom usergroups become the row's (without a usergroups column, their usergroups stay as they are); anyone else is created, with the email <strong>not verified</strong>. At most ${IMPORT_LIMITS.maxRows} rows and ${IMPORT_LIMITS.maxCharacters} characters at a time.</p>
${textArea(frame.state, 'csv', 'CSV', '', { rows: 12, placeholder: 'name,email,usergroups\nRobin Reader,robin@example.com,Customers;Beta' })}
<button type="submit">Dry run</button></form>`);
}

export function importPlanPage(frame: ConsoleFrame, csv: string, plan: ImportPlan): SafeHtml {
  const changing = plan.rows.filter((r) => r.outcome !== 'refused');
  return consolePage(frame, 'Import Users: dry run', 'people', html`<h1>Dry run: nothing changed yet</h1>
${counts(plan.counts, 'would')}
${refusedTable(plan.rows.flatMap((r) => (r.outcome === 'refused' ? [r] : [])))}
<section class="card" aria-labelledby="plan-h"><h2 id="plan-h">What would change</h2>${changing.length ? html`${listTable(['Line', 'Name', 'Email', 'Usergroups', 'Outcome'], changing.map((r) => [r.line, r.name, r.email, r.usergroups ? r.usergroups.join(', ') : html`<span class="muted">kept</span>`, html`${OUTCOME_LABEL[r.outcome]}${r.outcome === 'updated' ? html` (${r.changes.join(', ')})` : ''}`]), { card: false })}` : html`<p class="muted">No row would be imported.</p>`}</section>
${plan.counts.created + plan.counts.updated > 0 ? html`<form class="stack card" method="post" action="/admin/people/users/import/apply">${csrfField(frame.csrf)}
<input type="hidden" name="csv" value="${csv}"><input type="hidden" name="plan" value="${plan.fingerprint}">
<p>Applying creates ${plan.counts.created} and updates ${plan.counts.updated} Users, each row on its own; refused rows are left out. If anything changed since this dry run, nothing is applied and you are asked to run it again.</p>
<button type="submit">Apply this plan</button></form>` : ''}
<p><a href="/admin/people/users/import">Back to the import form</a></p>`);
}
