import type { AuthApp } from '../../../core/apps.ts';
import type { SyncRun } from '../../../protocols/ldap/sync-runs.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { actionButton, when } from './blocks.ts';

/** An LDAP app's page: sync now or dry run, and the last run's report (docs/LDAP.md, "Sync"). */
export function ldapSyncSection(app: AuthApp, csrf: string, runs: readonly SyncRun[]): SafeHtml {
  const [last] = runs;
  return html`<section class="card" aria-labelledby="ldap-sync-h"><h2 id="ldap-sync-h">${t('console.ldap.heading')}</h2>
<p>${tHtml('console.ldap.intro', { dryRun: html`<strong>${t('console.ldap.dryRunWord')}</strong>` })}</p>
${actionButton(`/admin/apps/${app.id}/ldap-sync`, csrf, t('console.ldap.dryRun'), { fields: { dryRun: 'yes' } })}
${actionButton(`/admin/apps/${app.id}/ldap-sync`, csrf, t('console.ldap.syncNow'), { fields: { dryRun: 'no' } })}
${last ? runReport(last) : html`<p class="muted">${t('console.ldap.none')}</p>`}
</section>`;
}

function runReport(run: SyncRun): SafeHtml {
  const r = run.report;
  return html`<div class="${run.status === 'failed' ? 'error' : 'notice'}" role="status" data-run-status="${run.status}">
<p><strong>${t('console.ldap.last', { dryRun: run.dryRun ? 'yes' : 'no' })}</strong>, ${when(run.startedAt)}: ${t('console.ldap.status', { status: run.status })}${run.errorCode ? html` (<code>${run.errorCode}</code>)` : ''}.</p>
<p>${t('console.ldap.counts', { dryRun: run.dryRun ? 'yes' : 'no', listed: r.listed, created: r.created, updated: r.updated, unchanged: r.unchanged, disabled: r.disabled, removed: r.removed, refused: r.refused.length })}</p>
${r.changes.length ? html`<ul class="checks">${r.changes.map((c) => html`<li>${c.change}: <code>${c.entry}</code></li>`)}</ul>` : ''}
${r.refused.length ? html`<ul class="checks">${r.refused.map((c) => html`<li class="failed">${t('console.ldap.refused')}: <code>${c.entry}</code>: ${c.reason}</li>`)}</ul>` : ''}
</div>`;
}
