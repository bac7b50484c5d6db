import type { Database, Queryable } from '../storage/database.ts';
import type { Statement } from '../storage/statement.ts';
import type { AccountTokens } from './account-tokens.ts';
import { TOKEN_LIFETIME_MS } from './account-tokens.ts';
import type { AuthAppRegistry } from './apps.ts';
import type { Audience } from './audience.ts';
import type { Actor, AuditLog } from './audit.ts';
import type { Clock } from './clock.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import { mailTemplates, type Mailer } from './mail.ts';
import { primaryEmail, type PeopleDirectory, type Person } from './people.ts';
import { refuseClosedPasswordDoor, type Registration } from './registration.ts';
import type { Session, SessionRestriction, SessionStore } from './sessions.ts';
import type { SignInThrottle } from './throttle.ts';
import type { TwoFactor } from './two-factor.ts';
import { burnVerifyTime, verifyPassword } from './credentials/password-hash.ts';
import { checkPasswordRules, PASSWORD_MAX_LENGTH } from './credentials/password-rules.ts';

export type StartedSession = { person: Person; session: Session; token: string };

/**
 * The account flows around sign-in: how a verified first factor becomes a session (or a
 * session waiting for the second factor), email validation, agent approval, password reset
 * and change, and the emailed admin bypass link.
 */
export class AccountFlows {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #people: PeopleDirectory;
  readonly #apps: AuthAppRegistry;
  readonly #sessions: SessionStore;
  readonly #audit: AuditLog;
  readonly #tokens: AccountTokens;
  readonly #mail: Mailer;
  readonly #throttle: SignInThrottle;
  readonly #twoFactor: TwoFactor;
  readonly #registration: Registration;
  readonly #publicUrl: URL;

  constructor(deps: {
    db: Database; clock: Clock; people: PeopleDirectory; apps: AuthAppRegistry; sessions: SessionStore; audit: AuditLog; tokens: AccountTokens;
    mail: Mailer; throttle: SignInThrottle; twoFactor: TwoFactor; registration: Registration; publicUrl: URL;
  }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#people = deps.people;
    this.#apps = deps.apps;
    this.#sessions = deps.sessions;
    this.#audit = deps.audit;
    this.#tokens = deps.tokens;
    this.#mail = deps.mail;
    this.#throttle = deps.throttle;
    this.#twoFactor = deps.twoFactor;
    this.#registration = deps.registration;
    this.#publicUrl = deps.publicUrl;
  }

  link(path: string): string {
    return new URL(`${this.#publicUrl.pathname.replace(/\/$/, '')}${path}`, this.#publicUrl).href;
  }

  /** Refusals that apply to any way in, after the person proved who they are. */
  assertMaySignIn(person: Person): void {
    if (person.disabled) throw new FrontdoorError('auth.account_disabled', 'This account is disabled.');
    if (person.emailValidationPending) {
      throw new FrontdoorError('auth.email_unverified', `Confirm your email address first: we sent a link to ${primaryEmail(person)}. It may be in your spam folder.`);
    }
    if (person.approvalPending) {
      throw new FrontdoorError('auth.approval_pending', 'Your account is waiting for approval by the helpdesk. You will get an email when it is approved.');
    }
  }

  /**
   * A first factor is verified: a full session, or, when the person has 2FA (or must set it
   * up now), a restricted one that can only finish it. `skipSecondFactor`: an external app
   * whose identity service's MFA is trusted.
   */
  async startSession(
    person: Person,
    input: {
      audience: Audience; appId: string | null; ip?: string | undefined; userAgent?: string | undefined; skipSecondFactor?: boolean;
      external?: { subject: string; sid?: string | undefined; sealedIdToken?: Buffer | undefined } | undefined;
      /** Written in the session's own statement (see SessionStore.create): its audit entry, its trace. */
      alsoWrite?: ((session: { id: string; restriction: SessionRestriction | null }) => Statement[]) | undefined;
    },
  ): Promise<StartedSession> {
    this.assertMaySignIn(person);
    const requirement = input.skipSecondFactor ? 'optional' : await this.#twoFactor.requirement(person);
    const restriction = requirement === 'enrolled' ? 'second_factor' : requirement === 'required' ? 'two_factor_setup' : undefined;
    const newAddress = !restriction && (await this.#isNewAddress(person.id, input.ip));
    const { token, session } = await this.#sessions.create({
      personId: person.id, audience: input.audience, appId: input.appId, ip: input.ip, userAgent: input.userAgent, external: input.external, restriction,
      alsoWrite: input.alsoWrite,
    });
    if (newAddress) await this.alertNewDevice(person, session);
    return { person, session, token };
  }

  /** Finishes a restricted session: the new full session's token, or a refusal if another request finished it first. */
  async liftRestriction(person: Person, session: Session, ip: string | undefined): Promise<StartedSession> {
    const newAddress = await this.#isNewAddress(person.id, ip);
    const lifted = await this.#sessions.lift(session.id);
    if (!lifted) throw new FrontdoorError('auth.required', 'This sign-in was already completed or has expired. Please sign in again.');
    if (newAddress) await this.alertNewDevice(person, lifted.session);
    return { person, session: lifted.session, token: lifted.token };
  }

  async #isNewAddress(personId: string, ip: string | undefined): Promise<boolean> {
    if (!ip || !(await this.#registration.settings()).alerts.newDevice) return false;
    const rows = await this.#db.query<{ known: boolean; any: boolean }>(
      `SELECT bool_or(ip = $2) AS known, count(*) > 0 AS any FROM sessions WHERE person_id = $1 AND restriction IS NULL`,
      [personId, ip],
    );
    // The very first sign-in is not news; a sign-in from an address never seen before is.
    return Boolean(rows[0]?.any) && !rows[0]?.known;
  }

  async alertNewDevice(person: Person, session: Session): Promise<void> {
    this.#mail.queue({
      to: primaryEmail(person),
      ...mailTemplates.newDevice({ name: person.name, ip: session.ip ?? 'unknown', userAgent: session.userAgent ?? 'unknown', at: session.createdAt }),
    });
  }

  // --- Email validation -------------------------------------------------------------------

  /**
   * Uses an email validation link. The link proves the mailbox; the password proves that the
   * one who holds the mailbox is the one who registered. Both are needed: otherwise a stranger
   * registers the victim's email with the stranger's password, the victim confirms the mail
   * that arrives, and the account counts as proven while the stranger's password opens it, so
   * the victim's later verified sign-ins link into it (the "classic-federated merge"
   * pre-hijack, Sudhodanan and Paverd, USENIX Security 2022). The password is checked before
   * the link is used, throttled on the login form's counters; a wrong one changes nothing and
   * leaves the link usable.
   */
  async validateEmail(token: string, password: string, ip: string | undefined): Promise<Person> {
    let personId: string | undefined;
    try {
      ({ personId } = await this.#tokens.peek('email_validation', token));
      await this.#checkRegistrationPassword(personId, password, ip);
      const person = await this.#db.transaction(async (q) => {
        const used = await this.#tokens.consume('email_validation', token, q);
        await q.query('UPDATE people SET email_validation_pending = false, updated_at = now() WHERE id = $1', [used.personId]);
        await q.query('UPDATE person_emails SET verified_at = COALESCE(verified_at, now()) WHERE person_id = $1 AND is_primary', [used.personId]);
        return used.personId;
      });
      await this.#audit.record({ action: 'registration.email_validated', outcome: 'success', audience: 'users', actor: { type: 'person', id: person }, target: { type: 'person', id: person }, ip });
      return (await this.#people.get(person))!;
    } catch (error) {
      await this.#audit.record({
        action: 'registration.email_validated', outcome: 'failure', reason: isFrontdoorError(error) ? error.code : 'internal', audience: 'users', actor: { type: 'anonymous' },
        target: personId ? { type: 'person', id: personId } : undefined, ip,
      });
      throw error;
    }
  }

  /** The password chosen at registration, on the login form's throttle counters (account and address). */
  async #checkRegistrationPassword(personId: string, password: string, ip: string | undefined): Promise<void> {
    const person = await this.#people.require(personId, 'users');
    const subject = { audience: 'users' as const, account: `person:${person.id}`, ip, personId: person.id };
    const seen = await this.#throttle.check(subject);
    const found = password.length <= PASSWORD_MAX_LENGTH * 4 ? await this.#people.findForSignIn('users', primaryEmail(person)) : undefined;
    // No password to compare (none was chosen, or an oversized guess): refused like a wrong one, fail closed.
    const right = found?.passwordHash ? await verifyPassword(found.passwordHash, password) : (await burnVerifyTime(password), false);
    if (!right) {
      await this.#throttle.recordFailure(subject, 'password');
      throw new FrontdoorError(
        'account.link_password_invalid',
        'That is not the password chosen when this account was registered, so the email is not confirmed. ' +
          'If you did not register here, ignore the email: the account stays unconfirmed and cannot be used. ' +
          'To take this address back, reset the password with "Forgot your password?" on the sign-in page.',
      );
    }
    await this.#throttle.recordSuccess(subject, { seen });
  }

  /** A new validation link, to anyone still pending with this email; the same answer for everyone else. */
  async resendValidation(email: string, ip: string | undefined): Promise<void> {
    const found = await this.#people.findForSignIn('users', email);
    if (found?.person.emailValidationPending && (await this.#throttle.allow(`mail:validation:${found.person.id}`, 5))) {
      await this.#registration.sendValidationLink(found.person);
    }
    await this.#audit.record({ action: 'registration.validation_resent', outcome: 'success', audience: 'users', actor: { type: 'anonymous' }, ip, details: { email: email.slice(0, 254) } });
  }

  // --- Agent approval ---------------------------------------------------------------------

  async pendingApproval(): Promise<Person[]> {
    const rows = await this.#db.query<{ id: string }>(
      "SELECT id FROM people WHERE audience = 'users' AND approval_pending_since IS NOT NULL ORDER BY approval_pending_since, id",
    );
    const people: Person[] = [];
    for (const row of rows) people.push((await this.#people.get(row.id))!);
    return people;
  }

  async approve(personId: string, actor: Actor): Promise<Person> {
    const rows = await this.#db.query(
      "UPDATE people SET approval_pending_since = NULL, updated_at = now() WHERE id = $1 AND audience = 'users' AND approval_pending_since IS NOT NULL RETURNING id",
      [personId],
    );
    if (rows.length === 0) await this.#refuseNotPending(personId);
    const person = (await this.#people.get(personId))!;
    await this.#audit.record({ action: 'registration.approved', outcome: 'success', audience: 'users', actor, target: { type: 'person', id: personId } });
    this.#mail.queue({ to: primaryEmail(person), ...mailTemplates.approved({ name: person.name, link: this.link('/login') }) });
    return person;
  }

  /** Nothing to approve or reject: person.not_found for an unknown User, else person.not_pending. */
  async #refuseNotPending(personId: string): Promise<never> {
    await this.#people.require(personId, 'users');
    throw new FrontdoorError('person.not_pending', 'This account is not waiting for approval.');
  }

  /** Turns a pending registration down: the account is removed. */
  async reject(personId: string, actor: Actor): Promise<void> {
    const rows = await this.#db.query(
      "DELETE FROM people WHERE id = $1 AND audience = 'users' AND approval_pending_since IS NOT NULL RETURNING id",
      [personId],
    );
    if (rows.length === 0) await this.#refuseNotPending(personId);
    await this.#audit.record({ action: 'registration.rejected', outcome: 'success', audience: 'users', actor, target: { type: 'person', id: personId } });
  }

  // --- Password reset and change ----------------------------------------------------------

  /**
   * Always the same answer and about the same work: the mail is queued, not awaited, so an
   * existing account does not make the answer slower. People without a password (external
   * sign-in only) get an email pointing at their identity service's lost-password page.
   */
  async requestPasswordReset(input: { audience: Audience; email: string; ip: string | undefined }): Promise<void> {
    await refuseClosedPasswordDoor(this.#apps, input.audience);
    const found = input.email.length <= 254 ? await this.#people.findForSignIn(input.audience, input.email) : undefined;
    // At most 5 reset emails an hour per account, so the form cannot be used to flood an inbox.
    const allowed = await this.#throttle.allow(`mail:reset:${input.audience}:${(found?.person.id ?? input.email).toLowerCase()}`, 5);
    if (found && !found.person.disabled && allowed) {
      const person = found.person;
      // An account whose email was never proven gets a reset link even without a password:
      // using it proves the mailbox and takes the account back from whoever set it up (see
      // claimUnprovenAccount); its external identities may be a stranger's.
      const emailProven = person.emails.some((e) => e.primary && e.verified);
      if (found.passwordHash || person.identities.length === 0 || !emailProven) {
        const token = await this.#tokens.issue('password_reset', person.id);
        const path = input.audience === 'users' ? '/password/reset' : '/agent/password/reset';
        this.#mail.queue({
          to: primaryEmail(person),
          ...mailTemplates.passwordReset({ name: person.name, link: this.link(`${path}?token=${token}`), expiresMinutes: TOKEN_LIFETIME_MS.password_reset / 60_000 }),
        });
      } else {
        const apps = [];
        for (const identity of person.identities) {
          const app = await this.#apps.find(identity.appId);
          if (!app) continue;
          const config = app.config as { lostPasswordUrl?: string; remoteLoginUrl?: string };
          apps.push({ name: app.name, url: config.lostPasswordUrl ?? (app.type === 'jwt' ? config.remoteLoginUrl : undefined) });
        }
        this.#mail.queue({ to: primaryEmail(person), ...mailTemplates.passwordResetExternal({ name: person.name, apps }) });
      }
    }
    await this.#audit.record({
      action: 'password.reset_requested', outcome: 'success', audience: input.audience,
      actor: { type: 'anonymous' }, target: found ? { type: 'person', id: found.person.id } : undefined, ip: input.ip,
      details: { email: input.email.slice(0, 254), known: Boolean(found), sent: Boolean(found && allowed && !found.person.disabled) },
    });
  }

  /**
   * A reset link mailed before an Automatic app was switched on, or before the password app
   * was disabled, is not a way in either (invariant 7).
   */
  async checkResetLink(token: string): Promise<Person> {
    const { personId } = await this.#tokens.peek('password_reset', token);
    const person = await this.#people.require(personId);
    await refuseClosedPasswordDoor(this.#apps, person.audience);
    return person;
  }

  /**
   * Sets the new password from a reset link. The rules are checked before the link is used,
   * so a refused password leaves the link working; then, in one transaction, the link is
   * used, the password set, the email marked confirmed (the link reached it), and every
   * session ended.
   */
  async resetPassword(input: { audience: Audience; token: string; password: string; ip: string | undefined }): Promise<Person> {
    let personId: string | undefined;
    try {
      const person = await this.checkResetLink(input.token);
      personId = person.id;
      if (person.audience !== input.audience) throw new FrontdoorError('account.link_invalid', 'This link is not valid here.');
      const settings = await this.#registration.settings();
      checkPasswordRules(input.password, settings.passwordMinLength);
      let claimed: { identitiesRemoved: number } | undefined;
      await this.#db.transaction(async (q) => {
        await this.#tokens.consume('password_reset', input.token, q);
        claimed = await claimUnprovenAccount(q, person.id);
        await this.#people.setPassword(person.id, input.password, q, settings.passwordMinLength);
        await q.query('UPDATE people SET email_validation_pending = false WHERE id = $1', [person.id]);
        await q.query('UPDATE person_emails SET verified_at = COALESCE(verified_at, now()) WHERE person_id = $1 AND is_primary', [person.id]);
        await this.#tokens.revokeAll(person.id, ['password_reset'], q);
        await this.#sessions.revokeAllFor(person.id, 'password reset', undefined, q);
      });
      await this.#throttle.recordSuccess({ audience: person.audience, account: `person:${person.id}`, ip: input.ip, personId: person.id }, { clearAccount: true });
      for (const email of person.emails) {
        await this.#throttle.recordSuccess({ audience: person.audience, account: email.email, ip: input.ip }, { clearAccount: true });
      }
      if (claimed) this.#people.changes.notify();
      await this.#audit.record({
        action: 'password.reset', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip: input.ip,
        ...(claimed ? { details: { claimedUnprovenAccount: true, identitiesRemoved: claimed.identitiesRemoved } } : {}),
      });
      return (await this.#people.get(person.id))!;
    } catch (error) {
      await this.#audit.record({
        action: 'password.reset', outcome: 'failure', reason: isFrontdoorError(error) ? error.code : 'internal', audience: input.audience,
        actor: personId ? { type: 'person', id: personId } : { type: 'anonymous' }, ip: input.ip,
      });
      throw error;
    }
  }

  /**
   * Checks the person's current password before a sensitive change, throttled like a sign-in.
   * Someone without a password (external sign-in only) passes: they have none to give.
   */
  async verifyCurrentPassword(person: Person, current: string, ip: string | undefined): Promise<void> {
    const subject = { audience: person.audience, account: `person:${person.id}`, ip, personId: person.id };
    await this.#throttle.check(subject);
    const found = await this.#people.findForSignIn(person.audience, primaryEmail(person));
    if (!found?.passwordHash) {
      await burnVerifyTime(current);
      return;
    }
    if (!(await verifyPassword(found.passwordHash, current))) {
      await this.#throttle.recordFailure(subject, 'password');
      throw new FrontdoorError('password.current_invalid', 'The current password is not right.');
    }
  }

  /** Needs the current password; optionally ends the person's other sessions. */
  async changePassword(input: {
    person: Person; sessionId: string; current: string; next: string; endOtherSessions: boolean; ip: string | undefined;
  }): Promise<{ endedSessions: number }> {
    const { person } = input;
    try {
      // Someone who signs in only through an external app changes their password there: a
      // local password would be a second way in that skips the identity service's policies.
      if (!person.hasPassword) {
        throw new FrontdoorError('auth.method_disabled', 'Your account signs in through an external service; change your password there.');
      }
      await this.verifyCurrentPassword(person, input.current, input.ip);
      const settings = await this.#registration.settings();
      await this.#people.setPassword(person.id, input.next, undefined, settings.passwordMinLength);
      await this.#tokens.revokeAll(person.id, ['password_reset']);
      const endedSessions = input.endOtherSessions ? await this.#sessions.revokeAllFor(person.id, 'password changed', input.sessionId) : 0;
      await this.#audit.record({
        action: 'password.changed', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id },
        target: { type: 'person', id: person.id }, ip: input.ip, details: { endedSessions },
      });
      return { endedSessions };
    } catch (error) {
      await this.#audit.record({
        action: 'password.changed', outcome: 'failure', reason: isFrontdoorError(error) ? error.code : 'internal', audience: person.audience,
        actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip: input.ip,
      });
      throw error;
    }
  }

  // --- Admin bypass link (break-glass) ------------------------------------------------------

  /** Emails a 5-minute single-use sign-in link to an active admin; the same answer for any other address. */
  async requestAdminBypass(email: string, ip: string | undefined): Promise<void> {
    const found = email.length <= 254 ? await this.#people.findForSignIn('agents', email) : undefined;
    const person = found?.person;
    const eligible = Boolean(person && person.isAdmin && !person.disabled);
    const allowed = eligible && (await this.#throttle.allow(`mail:bypass:${person!.id}`, 5));
    if (person && eligible && allowed) {
      const token = await this.#tokens.issue('admin_bypass', person.id);
      this.#mail.queue({
        to: primaryEmail(person),
        ...mailTemplates.adminBypass({ name: person.name, link: this.link(`/agent/login/bypass/${token}`), expiresMinutes: TOKEN_LIFETIME_MS.admin_bypass / 60_000 }),
      });
    }
    await this.#audit.record({
      action: 'breakglass.bypass_requested', outcome: eligible ? 'success' : 'failure', reason: eligible ? undefined : 'auth.forbidden',
      audience: 'agents', actor: { type: 'anonymous' }, target: person ? { type: 'person', id: person.id } : undefined, ip,
      details: { email: email.slice(0, 254), sent: allowed },
    });
  }

  /** Uses a bypass link: the admin, ready for startSession (2FA still applies). */
  async useAdminBypass(token: string, ip: string | undefined): Promise<Person> {
    try {
      const { personId } = await this.#tokens.consume('admin_bypass', token);
      const person = await this.#people.require(personId, 'agents');
      if (!person.isAdmin) throw new FrontdoorError('auth.forbidden', 'The bypass link is for admins only.');
      await this.#audit.record({ action: 'breakglass.bypass_used', outcome: 'success', audience: 'agents', actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip });
      return person;
    } catch (error) {
      await this.#audit.record({ action: 'breakglass.bypass_used', outcome: 'failure', reason: isFrontdoorError(error) ? error.code : 'internal', audience: 'agents', actor: { type: 'anonymous' }, ip });
      throw error;
    }
  }

  async checkBypassLink(token: string): Promise<void> {
    await this.#tokens.peek('admin_bypass', token);
  }
}

/**
 * A reset link opened for an account whose email was never proven: whoever set up its other
 * ways in (a password, an external identity whose service did not verify the email, a second
 * factor) may be a stranger who registered this address first ("pre-hijacked accounts",
 * USENIX Security 2022). The holder of the mailbox has now proven it, so the account becomes
 * theirs alone: those identities and second factors go, with the password and sessions the
 * reset replaces anyway. Undefined when the email was already proven (an ordinary reset).
 */
async function claimUnprovenAccount(q: Queryable, personId: string): Promise<{ identitiesRemoved: number } | undefined> {
  const [row] = await q.query<{ proven: boolean }>(
    'SELECT verified_at IS NOT NULL AS proven FROM person_emails WHERE person_id = $1 AND is_primary FOR UPDATE',
    [personId],
  );
  if (!row || row.proven) return undefined;
  const removed = await q.query('DELETE FROM identities WHERE person_id = $1 RETURNING subject', [personId]);
  await q.query('DELETE FROM totp_secrets WHERE person_id = $1', [personId]);
  await q.query('DELETE FROM recovery_codes WHERE person_id = $1', [personId]);
  await q.query('UPDATE people SET email_two_factor_at = NULL WHERE id = $1', [personId]);
  return { identitiesRemoved: removed.length };
}
