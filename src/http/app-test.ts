import type { AuthApp } from '../core/apps.ts';
import type { Actor } from '../core/audit.ts';
import { FrontdoorError } from '../core/errors.ts';
import { protocolOf } from '../protocols/registry.ts';
import type { Diagnosis } from '../protocols/sign-in-protocol.ts';
import type { HttpContext } from './context.ts';

export type AppTestReport = { ok: boolean; checks: Diagnosis['checks'] } & Record<string, unknown>;

/**
 * The Test button of the admin API and of the console: checks an external app's setup
 * (discovery, keys, endpoints, credentials) without signing anyone in, and audits the result.
 */
export async function testAuthApp(ctx: HttpContext, app: AuthApp, actor: Actor): Promise<AppTestReport> {
  const { apps, audit } = ctx.services;
  const diagnose = protocolOf(app)?.diagnose;
  if (!diagnose) throw new FrontdoorError('sso.protocol_unavailable', `Testing ${app.type} apps is not available in this version of Frontdoor.`);
  const { unlocksAutomatic, ...report } = await diagnose(ctx, app);
  const ok = report.checks.every((check) => check.ok);
  if (ok && unlocksAutomatic) await apps.markTestSucceeded(app.id);
  await audit.record({
    action: 'app.tested', outcome: ok ? 'success' : 'failure', reason: ok ? undefined : 'app.test_failed', audience: app.audience,
    actor, target: { type: 'app', id: app.id }, details: { failed: report.checks.filter((c) => !c.ok).map((c) => c.name) },
  });
  return { ok, ...report };
}
