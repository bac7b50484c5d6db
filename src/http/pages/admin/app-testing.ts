import type { AuthApp } from '../../../core/apps.ts';
import type { TokenCheckReport } from '../../../protocols/jwt/token-check.ts';
import { html, type SafeHtml } from '../../html.ts';
import type { TestSignInReport } from '../../test-sign-in.ts';
import { confirmLink, consolePage, csrfField, listTable, textArea, when, type ConsoleFrame } from './blocks.ts';

// Testing an app beyond its Test (docs/ADMIN-CONSOLE.md, "Testing an app"): a JWT app's pasted
// token, its shared secret regenerated, and the report of a test sign-in.

type Line = { name: string; label: string; state: 'passed' | 'failed' | 'skipped'; detail: string };

const STATE_WORD = { passed: 'passed', failed: 'failed', skipped: 'not checked' } as const;

function checkList(lines: readonly Line[]): SafeHtml {
  return html`<ul class="checks">${lines.map((c) => html`<li class="${c.state === 'passed' ? 'ok' : c.state === 'failed' ? 'failed' : 'skipped'}" data-check="${c.name}"><strong>${STATE_WORD[c.state]}</strong> · ${c.label}: ${c.detail}</li>`)}</ul>`;
}

function claimsTable(claims: Record<string, unknown> | undefined): SafeHtml {
  if (!claims || Object.keys(claims).length === 0) return html`<p class="muted">No claims could be read.</p>`;
  return listTable(['Claim', 'Value'], Object.entries(claims).map(([name, value]) => [html`<code>${name}</code>`, html`<code>${JSON.stringify(value)}</code>`]), { card: false });
}

const list = (values: readonly string[]) => (values.length ? values.join(', ') : 'none');

/** The pasted-token form of a JWT app's Test section, and its report when there is one. */
export function tokenCheckSection(app: AuthApp, csrf: string, report: TokenCheckReport | undefined): SafeHtml {
  return html`<form class="stack" method="post" action="/admin/apps/${app.id}/test-token">${csrfField(csrf)}
${textArea({}, 'token', 'Check a token: paste one your site signed', '', { rows: 4, hint: 'Checked with this app\'s key and rules, like a sign-in; its jti is not used up and nothing is stored, so the token still works afterwards.' })}
<button type="submit" class="secondary">Check the token</button></form>
${report ? tokenReport(report) : ''}`;
}

function tokenReport(report: TokenCheckReport): SafeHtml {
  const profile = report.profile;
  return html`<div class="${report.ok ? 'notice' : 'error'}" role="status" id="token-report"><p><strong>${report.ok ? 'The token passes every check.' : html`The token is refused (<code>${report.code ?? ''}</code>).`}</strong></p>
${checkList(report.checks)}</div>
<h3>Claims it carried${report.verified ? '' : html` <span class="muted">(not verified: the signature was not checked or did not match)</span>`}</h3>
${claimsTable(report.claims)}
${profile ? html`<h3>What they map to</h3>
<dl class="facts"><dt>Identity (subject)</dt><dd><code>${profile.subject}</code></dd><dt>Email</dt><dd>${profile.email ?? 'none'} (asserted by your site: treated as verified)</dd>
<dt>Name</dt><dd>${profile.name ?? 'none'}</dd><dt>Groups</dt><dd>${list(profile.groups)}</dd>
${profile.usergroupNames ? html`<dt>Usergroups named (mapGroups)</dt><dd>${list(profile.usergroupNames)}</dd>` : ''}</dl>` : ''}`;
}

/** The shared secret section of an HS256 JWT app: regenerate it (confirmed first). */
export function sharedSecretSection(app: AuthApp): SafeHtml {
  return html`<section class="card" aria-labelledby="secret-h"><h2 id="secret-h">Shared secret</h2>
<p>The site that signs the tokens holds this app's shared secret. A new one replaces it at once.</p>
${confirmLink(`/admin/apps/${app.id}/regenerate-secret`, 'Regenerate the shared secret')}</section>`;
}

/** The report of a test sign-in: what arrived, what it maps to, what passed; nothing was signed in. */
export function testSignInReportPage(frame: ConsoleFrame, report: TestSignInReport): SafeHtml {
  const m = report.mapping;
  const person = report.account.person;
  return consolePage(frame, `Test sign-in: ${report.app.name}`, 'apps', html`<h1>Test sign-in: ${report.app.name}</h1>
<p class="muted">${when(report.finishedAt)} · trace <a href="/admin/sso-traces/${report.traceId}"><code>${report.traceId}</code></a> · nobody was signed in, and no account, link or session was created or changed.</p>
<section class="card" aria-labelledby="checks-h"><h2 id="checks-h">Checks</h2>
<div class="${report.ok ? 'notice' : 'error'}" role="status"><p><strong>${report.ok ? 'This sign-in would succeed.' : 'This sign-in would be refused.'}</strong></p>
${checkList(report.checks)}</div></section>
${m ? html`<section class="card" aria-labelledby="map-h"><h2 id="map-h">What it maps to</h2>
<dl class="facts">
<dt>Identity (subject)</dt><dd><code>${m.subject}</code>${m.issuer ? html` at <code>${m.issuer}</code>` : ''}</dd>
<dt>Email</dt><dd>${m.email ?? 'none'}</dd>
<dt>Email trusted</dt><dd>${m.emailTrusted ? 'yes: verified by the identity service and trusted by the app (trustEmail); it may join an existing account' : m.emailVerifiedByService ? 'no: verified by the identity service, but the app does not trust it (trustEmail off)' : 'no: the identity service did not say it verified this email'}</dd>
<dt>Name</dt><dd>${m.name ?? 'none'}</dd>
<dt>Groups</dt><dd>${list(m.groups)}</dd>
<dt>Usergroups that would be added</dt><dd>${list(m.usergroups)}</dd>
<dt>Account</dt><dd>${report.account.message}${person ? html` <a href="/admin/people/${report.app.audience}/${person.id}">${person.name}</a>` : ''}</dd>
<dt>Second factor</dt><dd>${report.secondFactor}</dd>
</dl></section>` : html`<section class="card" aria-labelledby="map-h"><h2 id="map-h">What it maps to</h2><p>Not reached: the identity service's answer was refused before it could be mapped to an account.</p></section>`}
<section class="card" aria-labelledby="claims-h"><h2 id="claims-h">Claims and attributes received</h2>${claimsTable(report.claims)}</section>
<p><a href="/admin/apps/${report.app.id}">Back to ${report.app.name}</a></p>`);
}
