import { timingSafeEqual } from 'node:crypto';
import type { SignInSessions } from './account/sign-in-sessions.ts';
import type { AccountResolver, ExternalProfile } from './account-resolution.ts';
import { externalSettingsOf } from './account-resolution.ts';
import type { AuthApp } from './apps.ts';
import { auditStatement, type AuditLog } from './audit.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import type { Person } from './people.ts';
import type { SingleUse } from './replay-cache.ts';
import type { SecretBox } from './secrets.ts';
import type { Session, SessionStore } from './sessions.ts';
import { newTraceId, type SsoTraces } from './sso-traces.ts';
import { withTestOwner, type SsoTransaction, type SsoTransactionStore, type TestSignInOwner } from './sso-transactions.ts';

export type ExternalSignedIn = { person: Person; session: Session; token: string; returnTo: string; traceId: string };

/**
 * The protocol-independent half of every external sign-in (OIDC now, SAML and JWT later):
 * remember the attempt, check that the answer belongs to it, turn the verified profile into
 * a person and a session, and leave a trace and an audit entry either way.
 */
export class ExternalSignIn {
  readonly #transactions: SsoTransactionStore;
  readonly #traces: SsoTraces;
  readonly #accounts: AccountResolver;
  readonly #sessions: SessionStore;
  readonly #audit: AuditLog;
  readonly #box: SecretBox;
  readonly #signInSessions: SignInSessions;

  constructor(
    transactions: SsoTransactionStore, traces: SsoTraces, accounts: AccountResolver, sessions: SessionStore, audit: AuditLog, box: SecretBox, signInSessions: SignInSessions,
  ) {
    this.#signInSessions = signInSessions;
    this.#transactions = transactions;
    this.#traces = traces;
    this.#accounts = accounts;
    this.#sessions = sessions;
    this.#audit = audit;
    this.#box = box;
  }

  async begin(
    app: AuthApp,
    input: {
      state: string; returnTo: string; browserHash: Buffer; secrets: Record<string, string>; ip?: string | undefined;
      /** An admin's test sign-in (the start took their ticket): its completion reports instead of signing in. */
      test?: TestSignInOwner | undefined;
    },
  ): Promise<string> {
    const traceId = newTraceId();
    await this.#transactions.save(
      input.state,
      { appId: app.id, audience: app.audience, browserHash: input.browserHash, returnTo: input.returnTo, traceId, secrets: withTestOwner(input.secrets, input.test) },
      [this.#traces.startStatement({ id: traceId, appId: app.id, audience: app.audience, ip: input.ip })],
    );
    return traceId;
  }

  /**
   * The trace id of a sign-in that arrives without a transaction we started: a JWT app posts
   * its token with no `state` to match, so the token itself (signature, age, single-use
   * jti) is what binds the answer; there is nothing to take. Its trace is written once, with
   * the outcome (complete or fail), so an accepted token costs one write less.
   */
  beginUnsolicited(): string {
    return newTraceId();
  }

  /**
   * The transaction this callback answers. Unknown, expired or already used state, another
   * app's state, or another browser's: refused (login CSRF, replay, mix-up between apps).
   */
  async takeTransaction(app: AuthApp, state: string | undefined, browserHash: Buffer): Promise<SsoTransaction> {
    const transaction = state ? await this.#transactions.take(state) : undefined;
    if (!transaction || transaction.appId !== app.id) {
      throw new FrontdoorError('sso.state_invalid', 'This sign-in link has expired or was already used. Please start again.', { check: 'state' });
    }
    const sameBrowser = transaction.browserHash.length === browserHash.length && timingSafeEqual(transaction.browserHash, browserHash);
    if (!sameBrowser) {
      await this.#traces.finish(
        { id: transaction.traceId, appId: app.id, audience: app.audience },
        { outcome: 'failure', errorCode: 'sso.browser_mismatch', failedCheck: 'browser_binding' },
      );
      throw new FrontdoorError('sso.browser_mismatch', 'This sign-in was started in another browser. Please start again here.', { check: 'browser_binding' })
        .tracedAs(transaction.traceId);
    }
    return transaction;
  }

  async complete(
    app: AuthApp,
    /** The taken transaction, or for an unsolicited sign-in its trace and landing page. */
    transaction: Pick<SsoTransaction, 'traceId' | 'returnTo'>,
    profile: ExternalProfile,
    input: {
      ip?: string | undefined;
      userAgent?: string | undefined;
      clockSkewMs?: number | undefined;
      external: { subject: string; sid?: string | undefined; idToken?: string | undefined };
      /** A one-time id of the answer still to be used up (a JWT's jti): see AccountResolver.resolve. */
      singleUse?: SingleUse | undefined;
    },
  ): Promise<ExternalSignedIn> {
    const resolved = await this.#accounts.resolve(app, profile, input.singleUse);
    const trace = { id: transaction.traceId, appId: app.id, audience: app.audience, ip: input.ip };
    // Pending approval or email validation refuse here; 2FA follows unless the app's MFA is
    // trusted. The session, the finished trace and the audit entry are one statement.
    const { token, session } = await this.#signInSessions.startSession(resolved.person, {
      audience: app.audience,
      appId: app.id,
      ip: input.ip,
      userAgent: input.userAgent,
      skipSecondFactor: externalSettingsOf(app).trustProviderMfa,
      external: {
        subject: input.external.subject,
        sid: input.external.sid,
        sealedIdToken: input.external.idToken ? this.#box.seal(input.external.idToken) : undefined,
      },
      alsoWrite: (started) => [
        this.#traces.finishStatement(trace, {
          outcome: 'success', personId: resolved.person.id, claims: profile.claims, clockSkewMs: input.clockSkewMs, detail: resolved.outcome,
        }),
        auditStatement({
          action: 'signin.sso', outcome: 'success', audience: app.audience, actor: { type: 'person', id: resolved.person.id },
          target: { type: 'session', id: started.id }, ip: input.ip,
          details: { app: app.slug, type: app.type, traceId: transaction.traceId, account: resolved.outcome, ...(started.restriction ? { pending: started.restriction } : {}) },
        }),
      ],
    });
    return { person: resolved.person, session, token, returnTo: transaction.returnTo, traceId: transaction.traceId };
  }

  /**
   * A link asked for from the account page: the transaction names the person and session that
   * asked (sealed with it), and the browser must still be signed in as them, in that session;
   * then the identity is linked to them (no new session). Trace and audit either way.
   */
  async linkFromAccount(
    app: AuthApp, transaction: Pick<SsoTransaction, 'traceId' | 'secrets'>, profile: ExternalProfile, current: { personId: string; sessionId: string } | undefined, ip: string | undefined,
  ): Promise<'linked' | 'already_linked'> {
    const asked = { personId: transaction.secrets.linkPersonId, sessionId: transaction.secrets.linkSessionId };
    // Linking CSRF: only the session that pressed "Link" on its account page links, so a
    // sign-in forced into someone's browser cannot attach a stranger's identity to their account.
    if (!current || current.personId !== asked.personId || current.sessionId !== asked.sessionId) {
      throw new FrontdoorError('auth.required', 'Linking works only in the session that asked for it. Sign in again and link from your account page.', { check: 'link_session' });
    }
    const outcome = await this.#accounts.linkToPerson(app, profile, current.personId);
    await this.#traces.finish(
      { id: transaction.traceId, appId: app.id, audience: app.audience, ip },
      { outcome: 'success', personId: current.personId, claims: profile.claims, detail: outcome === 'linked' ? 'linked_from_account' : 'already_linked' },
    );
    await this.#audit.record({
      action: 'account.identity_linked', outcome: 'success', audience: app.audience, actor: { type: 'person', id: current.personId },
      target: { type: 'person', id: current.personId }, ip, details: { app: app.slug, type: app.type, traceId: transaction.traceId, already: outcome === 'already_linked' },
    });
    return outcome;
  }

  /** Records a failed attempt (trace and audit) and returns the error to show, carrying the trace id. */
  async fail(
    app: AuthApp,
    traceId: string | undefined,
    error: unknown,
    input: { ip?: string | undefined; claims?: Record<string, unknown> | undefined; clockSkewMs?: number | undefined },
  ): Promise<FrontdoorError & { traceId: string }> {
    const fd = isFrontdoorError(error) ? error : new FrontdoorError('internal', 'Something went wrong on our side. It has been logged.');
    const check = fd.failedCheck ?? fd.code;
    const detail = fd.internalDetail ?? fd.message;
    // A callback whose state matches no attempt still gets a trace of its own, so the id on
    // the person's error page is always one an admin can look up.
    const id = traceId ?? newTraceId();
    await this.#traces.finish(
      { id, appId: app.id, audience: app.audience, ip: input.ip },
      { outcome: 'failure', errorCode: fd.code, failedCheck: check, detail, claims: input.claims, clockSkewMs: input.clockSkewMs },
    );
    await this.#audit.record({
      action: 'signin.sso', outcome: 'failure', reason: fd.code, audience: app.audience, actor: { type: 'anonymous' }, ip: input.ip,
      details: { app: app.slug, type: app.type, traceId: id, check },
    });
    return fd.tracedAs(id);
  }

  async sealedIdTokenOf(sessionId: string): Promise<string | undefined> {
    const sealed = await this.#sessions.sealedIdToken(sessionId);
    return sealed ? this.#box.open(sealed) : undefined;
  }
}
