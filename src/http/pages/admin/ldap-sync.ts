import type { AuthApp } from '../../../core/apps.ts';
import type { SyncRun } from '../../../protocols/ldap/sync-runs.ts';
import { html, type SafeHtml } from '../../html.ts';
import { actionButton, when } from './blocks.ts';

/** An LDAP app's page: sync now or dry run, and the last run's report (docs/LDAP.md, "Sync"). */
export function ldapSyncSection(app: AuthApp, csrf: string, runs: readonly SyncRun[]): SafeHtml {
  const [last] = runs;
  return html`<section class="card" aria-labelledby="ldap-sync-h"><h2 id="ldap-sync-h">Directory sync</h2>
<p>Runs daily by itself. A <strong>dry run</strong> changes nothing and reports what a sync would do; people gone from the directory are disabled and signed out, never deleted.</p>
${actionButton(`/admin/apps/${app.id}/ldap-sync`, csrf, 'Dry run', { fields: { dryRun: 'yes' } })}
${actionButton(`/admin/apps/${app.id}/ldap-sync`, csrf, 'Sync now', { fields: { dryRun: 'no' } })}
${last ? runReport(last) : html`<p class="muted">No sync has run yet.</p>`}
</section>`;
}

function runReport(run: SyncRun): SafeHtml {
  const r = run.report;
  return html`<div class="${run.status === 'failed' ? 'error' : 'notice'}" role="status" data-run-status="${run.status}">
<p><strong>Last ${run.dryRun ? 'dry run' : 'sync'}</strong>, ${when(run.startedAt)}: ${run.status}${run.errorCode ? html` (<code>${run.errorCode}</code>)` : ''}.</p>
<p>Listed ${r.listed} · ${run.dryRun ? 'would create' : 'created'} ${r.created} · updated ${r.updated} · unchanged ${r.unchanged} · disabled ${r.disabled} · removed ${r.removed} · refused ${r.refused.length}</p>
${r.changes.length ? html`<ul class="checks">${r.changes.map((c) => html`<li>${c.change}: <code>${c.entry}</code></li>`)}</ul>` : ''}
${r.refused.length ? html`<ul class="checks">${r.refused.map((c) => html`<li class="failed">refused: <code>${c.entry}</code>: ${c.reason}</li>`)}</ul>` : ''}
</div>`;
}
