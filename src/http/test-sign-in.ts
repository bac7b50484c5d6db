import type { FastifyRequest } from 'fastify';
import { externalSettingsOf, type AccountPreview, type ExternalProfile } from '../core/account-resolution.ts';
import type { AuthApp } from '../core/apps.ts';
import { FrontdoorError } from '../core/errors.ts';
import { primaryEmail, type Person } from '../core/people.ts';
import { useUp } from '../core/replay-cache.ts';
import type { Services } from '../core/services.ts';
import type { VerifiedSignIn } from '../protocols/sign-in-protocol.ts';
import type { TestSignInOwner } from '../core/sso-transactions.ts';
import type { HttpContext } from './context.ts';
import { checkDetailText, checkMessage, refusalOf, type CheckMessage } from '../i18n/check-details.ts';

// "Test sign-in" (docs/ADMIN-CONSOLE.md, "Testing an app"): an admin runs an app's sign-in for
// real, in another tab, and gets a report instead of a session. The test mark lives only in the
// server-side SSO transaction, put there by a start that took a ticket the admin's own session
// was issued (a CSRF-checked console POST); nothing at the finish endpoint can set it.

const REGISTRATION_REFUSALS = new Set<string>(['registration.closed', 'sso.unknown_agent']);

export const TEST_TICKET_TTL_MS = 5 * 60_000;
export const TEST_REPORT_TTL_MS = 24 * 60 * 60_000;

/**
 * A check of the report. `message` is its detail as a message key and values, said in the page's
 * language when the report is shown; `detail` the same in English. (A report stored before
 * details were messages has no `message`: it is shown in English, for the day it is kept.)
 */
export type ReportLine = { name: string; label: string; state: 'passed' | 'failed' | 'skipped'; detail: string; message?: CheckMessage | undefined };

/**
 * What a test sign-in's report page shows; stored sealed for the admin session that ran it.
 * Its words are stored as message keys and values (account, second factor, each check's
 * detail), so the page says them in the language of whoever reads it; a string there is the
 * English sentence of a report stored by an earlier version.
 */
export type TestSignInReport = {
  app: { id: string; name: string; slug: string; type: string; audience: AuthApp['audience'] };
  traceId: string;
  finishedAt: string;
  ok: boolean;
  checks: ReportLine[];
  claims: Record<string, unknown>;
  /** Unset when the answer itself was refused (reportRefusedTestSignIn). */
  mapping?: {
    subject: string; issuer: string; email: string | null; emailVerifiedByService: boolean; emailTrusted: boolean;
    name: string | null; groups: string[]; usergroups: string[];
  } | undefined;
  account: { outcome: 'signed_in' | 'linked' | 'created' | 'refused'; person?: { id: string; name: string; email: string } | undefined; code?: string | undefined; message: CheckMessage | string };
  secondFactor: CheckMessage | string;
};

const reportLine = (name: string, label: string, state: ReportLine['state'], message: CheckMessage): ReportLine =>
  ({ name, label, state, detail: checkDetailText(message, 'en'), message });

/** A console POST by an admin: a one-time ticket for /sso/<slug>/start?test=<ticket>, bound to their session. */
export function issueTestTicket(services: Services, app: AuthApp, owner: TestSignInOwner): Promise<string> {
  return services.consoleResults.save('test_ticket', { sessionId: owner.sessionId, appId: app.id }, { personId: owner.personId }, TEST_TICKET_TTL_MS);
}

/**
 * The start of a test sign-in: only a browser signed in as an admin, with a live ticket its own
 * session was issued for this app, used once. Anything else is refused; nothing is started.
 */
export async function takeTestTicket(ctx: HttpContext, request: FastifyRequest, app: AuthApp, ticket: string): Promise<TestSignInOwner> {
  const refused = () => new FrontdoorError('app.test_sign_in_invalid', 'This test sign-in link is not valid: it is used once, by the admin who asked for it, within 5 minutes. Start it again from the app\'s page in the admin console.');
  const admin = await ctx.signedIn(request, 'agents');
  if (!admin?.person.isAdmin) throw refused();
  const taken = await ctx.services.consoleResults.take<{ personId: string }>('test_ticket', ticket, { sessionId: admin.session.id, appId: app.id });
  if (!taken || taken.personId !== admin.person.id) throw refused();
  return { sessionId: admin.session.id, personId: admin.person.id };
}

/**
 * The end of a test sign-in, in place of the session: what the sign-in would do, decided by
 * the same account resolution as a real one (AccountResolver.preview, which writes nothing),
 * stored for the admin's session. The trace is finished (a passing test counts as a success for
 * the Automatic gate, as it would for the Test) and the test audited. No person, identity,
 * session or cookie is created or changed; the single-use id of the answer is not used up
 * beyond what the protocol did already.
 */
export async function reportTestSignIn(ctx: HttpContext, app: AuthApp, signIn: VerifiedSignIn, owner: TestSignInOwner, ip: string | undefined): Promise<string> {
  const { services } = ctx;
  const { profile } = signIn;
  // A token presented is spent, test or not (a JWT's jti): it cannot sign in later instead.
  if (signIn.singleUse) await useUp(services.db, signIn.singleUse);
  const preview = await services.accounts.preview(app, profile);
  const secondFactor = await secondFactorOf(services, app, preview);
  const account = accountOf(preview);
  const mayEnter = account.outcome !== 'refused';
  const filterLabel = 'The app\'s filter (email domains, group, claim)';
  const checks: ReportLine[] = [
    reportLine('answer', 'The identity service\'s answer (signature, audience, issuer, expiry, single use)', 'passed', checkMessage('apps.detail.answerVerified', { type: app.type })),
    preview.filter
      ? reportLine('filter', filterLabel, 'failed', checkMessage('check.refusal', { refusal: refusalOf(preview.filter) }))
      : reportLine('filter', filterLabel, 'passed', checkMessage('apps.detail.allowed')),
    reportLine('registration', 'Registration policy',
      preview.filter ? 'skipped' : preview.refusal && REGISTRATION_REFUSALS.has(preview.refusal.code) ? 'failed' : 'passed',
      checkMessage(preview.registrationOpen ? 'apps.detail.registrationOpen' : 'apps.detail.registrationClosed')),
    reportLine('account', 'Account resolution', preview.filter ? 'skipped' : mayEnter ? 'passed' : 'failed', account.message),
    reportLine('second_factor', 'Second factor', mayEnter ? 'passed' : 'skipped', secondFactor),
  ];
  const ok = mayEnter;
  const report: TestSignInReport = {
    app: { id: app.id, name: app.name, slug: app.slug, type: app.type, audience: app.audience },
    traceId: signIn.transaction.traceId,
    finishedAt: services.clock.now().toISOString(),
    ok, checks, claims: profile.claims, mapping: mappingOf(profile, preview), account, secondFactor,
  };
  const trace = { id: signIn.transaction.traceId, appId: app.id, audience: app.audience, ip };
  await services.ssoTraces.finish(trace, ok
    ? { outcome: 'success', personId: preview.person?.id ?? null, claims: profile.claims, clockSkewMs: signIn.clockSkewMs, detail: `test_sign_in: ${account.outcome}` }
    : { outcome: 'failure', errorCode: account.code ?? 'sso.filter_refused', failedCheck: preview.filter ? 'filter' : 'account', detail: 'test_sign_in', claims: profile.claims, clockSkewMs: signIn.clockSkewMs });
  if (ok) await services.apps.markTestSucceeded(app.id);
  const id = await services.consoleResults.save('test_sign_in', { sessionId: owner.sessionId, appId: app.id }, report, TEST_REPORT_TTL_MS);
  await services.audit.record({
    action: 'app.test_sign_in', outcome: ok ? 'success' : 'failure', reason: ok ? undefined : account.code, audience: app.audience,
    actor: { type: 'person', id: owner.personId }, target: { type: 'app', id: app.id }, ip,
    details: { traceId: report.traceId, account: account.outcome, failed: checks.filter((c) => c.state === 'failed').map((c) => c.name) },
  });
  return id;
}

/**
 * A test sign-in whose answer the protocol refused (a bad signature, another audience, a
 * replay): already traced and audited as a refused sign-in by the one failure path; the admin
 * gets the report of it, naming the failed check, instead of the error page.
 */
export async function reportRefusedTestSignIn(
  ctx: HttpContext, app: AuthApp, refusal: FrontdoorError & { traceId: string }, claims: Record<string, unknown> | undefined, owner: TestSignInOwner, ip: string | undefined,
): Promise<string> {
  const { services } = ctx;
  const report: TestSignInReport = {
    app: { id: app.id, name: app.name, slug: app.slug, type: app.type, audience: app.audience },
    traceId: refusal.traceId,
    finishedAt: services.clock.now().toISOString(),
    ok: false,
    checks: [
      reportLine('answer', 'The identity service\'s answer', 'failed', refusal.failedCheck
        ? checkMessage('apps.detail.answerRefusedCheck', { code: refusal.code, check: refusal.failedCheck, refusal: refusalOf(refusal) })
        : checkMessage('apps.detail.answerRefused', { code: refusal.code, refusal: refusalOf(refusal) })),
      ...['filter', 'registration', 'account', 'second_factor'].map((name) => reportLine(name, name.replace('_', ' '), 'skipped', checkMessage('apps.notReached'))),
    ],
    claims: claims ?? {}, mapping: undefined,
    account: { outcome: 'refused', code: refusal.code, message: checkMessage('apps.account.notReached', { code: refusal.code }) },
    secondFactor: checkMessage('apps.notReached'),
  };
  const id = await services.consoleResults.save('test_sign_in', { sessionId: owner.sessionId, appId: app.id }, report, TEST_REPORT_TTL_MS);
  await services.audit.record({
    action: 'app.test_sign_in', outcome: 'failure', reason: refusal.code, audience: app.audience,
    actor: { type: 'person', id: owner.personId }, target: { type: 'app', id: app.id }, ip, details: { traceId: refusal.traceId, failed: ['answer'] },
  });
  return id;
}

function mappingOf(profile: ExternalProfile, preview: AccountPreview): TestSignInReport['mapping'] {
  return {
    subject: profile.subject, issuer: profile.issuer, email: preview.email ?? null, emailVerifiedByService: profile.emailVerified,
    emailTrusted: preview.emailTrusted, name: profile.name ?? null, groups: profile.groups, usergroups: preview.usergroups,
  };
}

const personSummary = (person: Person) => ({ id: person.id, name: person.name, email: primaryEmail(person) });

function accountOf(preview: AccountPreview): TestSignInReport['account'] & { message: CheckMessage } {
  const refusal = preview.refusal;
  if (refusal) {
    return { outcome: 'refused', code: refusal.code, message: checkMessage('apps.account.refused', { code: refusal.code, message: refusalOf(refusal) }) };
  }
  const person = preview.person;
  if (preview.outcome === 'signed_in' && person) {
    return { outcome: 'signed_in', person: personSummary(person), message: checkMessage('apps.account.signedIn', { name: person.name, email: primaryEmail(person) }) };
  }
  if (preview.outcome === 'linked' && person) {
    return { outcome: 'linked', person: personSummary(person), message: checkMessage('apps.account.linked', { name: person.name, email: primaryEmail(person) }) };
  }
  const approval = preview.approvalPending ? 'yes' : 'no';
  return {
    outcome: 'created',
    message: preview.email ? checkMessage('apps.account.created', { email: preview.email, approval }) : checkMessage('apps.account.createdUnknownEmail', { approval }),
  };
}

/** The second factor the sign-in would ask for, as the real sign-in decides it (SignInSessions.startSession). */
async function secondFactorOf(services: Services, app: AuthApp, preview: AccountPreview): Promise<CheckMessage> {
  if (preview.refusal) return checkMessage('apps.notReached');
  if (externalSettingsOf(app).trustProviderMfa) return checkMessage('apps.secondFactor.trustsProvider');
  const person = preview.person;
  if (person) {
    try {
      services.signInSessions.assertMaySignIn(person);
    } catch (error) {
      if (error instanceof FrontdoorError) return checkMessage('apps.secondFactor.notReached', { refusal: refusalOf(error) });
      throw error;
    }
  }
  // A new account has no second factor yet: only the audience's policy applies to it.
  const requirement = await services.twoFactor.requirement(person ?? newPersonOf(app));
  return checkMessage(({
    enrolled: 'apps.secondFactor.enrolled',
    required: 'apps.secondFactor.required',
    grace: 'apps.secondFactor.grace',
    optional: 'apps.secondFactor.optional',
  } as const)[requirement]);
}

// What TwoFactor.requirement reads of a person, for one not created yet.
function newPersonOf(app: AuthApp): Person {
  return { audience: app.audience, twoFactor: { methods: [], required: false, graceUntil: null } } as unknown as Person;
}
