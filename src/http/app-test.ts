import type { AuthApp } from '../core/apps.ts';
import type { Actor } from '../core/audit.ts';
import { FrontdoorError } from '../core/errors.ts';
import { diagnoseOidcApp, type DiagnosticCheck } from '../protocols/oidc/diagnostics.ts';
import { isOidcApp } from '../protocols/oidc/provider-config.ts';
import { diagnoseSamlApp } from '../protocols/saml/diagnostics.ts';
import { isSamlApp } from '../protocols/saml/settings.ts';
import type { HttpContext } from './context.ts';
import { ssoUrlsFor } from './routes/sso.ts';
import { jwtUrlsFor } from './routes/sso-jwt.ts';

export type AppTestReport = { ok: boolean; checks: DiagnosticCheck[] } & Record<string, unknown>;

/**
 * The Test button of the admin API and of the console: checks an external app's setup
 * (discovery, keys, endpoints, credentials) without signing anyone in, and audits the result.
 */
export async function testAuthApp(ctx: HttpContext, app: AuthApp, actor: Actor): Promise<AppTestReport> {
  const { apps, audit } = ctx.services;
  let report: { checks: DiagnosticCheck[] } & Record<string, unknown>;
  if (isSamlApp(app)) {
    report = await diagnoseSamlApp(ctx.samlIdps, app, await apps.secretsOf(app.id), ctx.services.config.publicUrl, ctx.services.clock.now());
  } else if (isOidcApp(app)) {
    report = { checks: await diagnoseOidcApp(ctx.oidc, app, await apps.secretsOf(app.id), ctx.services.clock.now()) };
  } else {
    throw new FrontdoorError('sso.protocol_unavailable', `Testing ${app.type} apps is not available in this version of Frontdoor.`);
  }
  const ok = report.checks.every((check) => check.ok);
  if (ok && isSamlApp(app)) await apps.markTestSucceeded(app.id);
  await audit.record({
    action: 'app.tested', outcome: ok ? 'success' : 'failure', reason: ok ? undefined : 'app.test_failed', audience: app.audience,
    actor, target: { type: 'app', id: app.id }, details: { failed: report.checks.filter((c) => !c.ok).map((c) => c.name) },
  });
  return { ok, ...report };
}

/** The addresses an admin copies into the identity service (none for the password app). */
export function urlsToCopy(app: AuthApp, publicUrl: URL): Record<string, string> | undefined {
  if (app.type === 'password') return undefined;
  if (app.type === 'jwt') return jwtUrlsFor(app, publicUrl);
  return ssoUrlsFor(app, publicUrl);
}
