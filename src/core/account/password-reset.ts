import type { Database, Queryable } from '../../storage/database.ts';
import { TOKEN_LIFETIME_MS, type AccountTokens } from '../account-tokens.ts';
import type { AuthAppRegistry } from '../apps.ts';
import type { Audience } from '../audience.ts';
import type { Actor, AuditLog } from '../audit.ts';
import { checkPasswordRules } from '../credentials/password-rules.ts';
import { FrontdoorError, isFrontdoorError } from '../errors.ts';
import { languageOf } from '../languages.ts';
import { externalAppVariables, type Emails } from '../mail-templates/emails.ts';
import { primaryEmail, type PeopleDirectory, type Person } from '../people.ts';
import { refuseClosedPasswordDoor, type Registration } from '../registration.ts';
import type { RememberedDevices } from '../remembered-devices.ts';
import type { SessionStore } from '../sessions.ts';
import type { SignInThrottle } from '../throttle.ts';
import { publicLink } from './public-link.ts';

/** "Forgot your password?": the emailed link, checking it, and the new password it sets. */
export class PasswordReset {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #apps: AuthAppRegistry;
  readonly #sessions: SessionStore;
  readonly #audit: AuditLog;
  readonly #tokens: AccountTokens;
  readonly #mail: Emails;
  readonly #throttle: SignInThrottle;
  readonly #registration: Registration;
  readonly #publicUrl: URL;
  readonly #devices: RememberedDevices;

  constructor(deps: {
    db: Database; people: PeopleDirectory; apps: AuthAppRegistry; sessions: SessionStore; audit: AuditLog; tokens: AccountTokens;
    mail: Emails; throttle: SignInThrottle; registration: Registration; publicUrl: URL; devices: RememberedDevices;
  }) {
    this.#db = deps.db;
    this.#people = deps.people;
    this.#apps = deps.apps;
    this.#sessions = deps.sessions;
    this.#audit = deps.audit;
    this.#tokens = deps.tokens;
    this.#mail = deps.mail;
    this.#throttle = deps.throttle;
    this.#registration = deps.registration;
    this.#publicUrl = deps.publicUrl;
    this.#devices = deps.devices;
  }

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
    if (found && !found.person.disabled && allowed) await this.#mailResetLink(found.person, found.passwordHash !== null);
    await this.#audit.record({
      action: 'password.reset_requested', outcome: 'success', audience: input.audience,
      actor: { type: 'anonymous' }, target: found ? { type: 'person', id: found.person.id } : undefined, ip: input.ip,
      details: { email: input.email.slice(0, 254), known: Boolean(found), sent: Boolean(found && allowed && !found.person.disabled) },
    });
  }

  /**
   * The console's "Send a password-reset link": the same mail the forgot form sends, to the
   * person's primary email, under the same doors and the same 5-an-hour limit, but an admin
   * is told plainly what happened (it is no enumeration: the admin sees the account anyway).
   */
  async sendResetLinkByAdmin(input: { personId: string; audience: Audience; actor: Actor; ip: string | undefined }): Promise<Person> {
    const person = await this.#people.require(input.personId, input.audience);
    await refuseClosedPasswordDoor(this.#apps, person.audience);
    if (person.disabled) throw new FrontdoorError('auth.account_disabled', `${person.name} is disabled: enable them before sending a reset link.`);
    if (!(await this.#throttle.allow(`mail:reset:${person.audience}:${person.id.toLowerCase()}`, 5))) {
      throw new FrontdoorError('auth.throttled', `${person.name} has been sent 5 reset emails in the last hour; try again later.`);
    }
    const found = await this.#people.findForSignIn(person.audience, primaryEmail(person));
    await this.#mailResetLink(person, Boolean(found?.passwordHash));
    await this.#audit.record({
      action: 'password.reset_sent', outcome: 'success', audience: person.audience, actor: input.actor,
      target: { type: 'person', id: person.id }, ip: input.ip, details: { email: primaryEmail(person) },
    });
    return person;
  }

  /**
   * People without a password (external sign-in only) get an email pointing at their identity
   * service's lost-password page, unless their email was never proven: an account whose email
   * was never proven gets a reset link even without a password. Using it proves the mailbox and
   * takes the account back from whoever set it up (see claimUnprovenAccount); its external
   * identities may be a stranger's.
   */
  async #mailResetLink(person: Person, hasPassword: boolean): Promise<void> {
    const emailProven = person.emails.some((e) => e.primary && e.verified);
    if (hasPassword || person.identities.length === 0 || !emailProven) {
      const token = await this.#tokens.issue('password_reset', person.id);
      const path = person.audience === 'users' ? '/password/reset' : '/agent/password/reset';
      this.#mail.queue(primaryEmail(person), 'passwordReset', languageOf(person), {
        name: person.name, link: publicLink(this.#publicUrl, `${path}?token=${token}`), expiresMinutes: TOKEN_LIFETIME_MS.password_reset / 60_000,
      });
      return;
    }
    const apps = [];
    for (const identity of person.identities) {
      const app = await this.#apps.find(identity.appId);
      if (!app) continue;
      apps.push({ name: app.name, url: this.#apps.lostPasswordUrlOf(app) });
    }
    this.#mail.queue(primaryEmail(person), 'passwordResetExternal', languageOf(person), { name: person.name, ...externalAppVariables(apps, languageOf(person)) });
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
        // Whoever reset the password holds the mailbox; a device remembered before must not
        // let anyone else skip the second factor with the new password.
        await this.#devices.revokeAllFor(person, 'password reset', { type: 'person', id: person.id }, q);
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
