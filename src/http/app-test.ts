import type { AuthApp } from '../core/apps.ts';
import type { Actor } from '../core/audit.ts';
import type { FastifyBaseLogger } from 'fastify';
import { FrontdoorError } from '../core/errors.ts';
import { protocolOf } from '../protocols/registry.ts';
import { refusalOf } from '../i18n/check-details.ts';
import { diagnosticCheck, type DiagnosticCheck } from '../protocols/diagnostic-check.ts';
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

/**
 * The console's report when the Test could not run at all (an identity service or directory
 * that is down, a protocol with no Test): one failed check naming the cause and its code. It
 * is the service's state, not our failure, so it is logged at warn without a stack, and audited
 * like any failed Test.
 */
export async function reportTestNotRun(ctx: HttpContext, app: AuthApp, actor: Actor, error: FrontdoorError, log: FastifyBaseLogger): Promise<AppTestReport> {
  const check = error.failedCheck ?? 'service';
  log.warn({ code: error.code, status: error.status, app: app.slug }, 'app test could not run');
  await ctx.services.audit.record({
    action: 'app.tested', outcome: 'failure', reason: error.code, audience: app.audience,
    actor, target: { type: 'app', id: app.id }, details: { failed: [check] },
  });
  return { ok: false, checks: [diagnosticCheck(check, false, 'check.notRun', { refusal: refusalOf(error), code: error.code })] };
}

/**
 * The report as the admin API answers it: each check's detail in English only, as it always
 * has (the message key behind it is the console's, to say it in the page's language).
 */
export function apiTestReport(report: AppTestReport): Omit<AppTestReport, 'checks'> & { checks: Omit<DiagnosticCheck, 'message'>[] } {
  return { ...report, checks: report.checks.map(({ name, ok, detail }) => ({ name, ok, detail })) };
}
