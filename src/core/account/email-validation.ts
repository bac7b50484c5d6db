import type { Database } from '../../storage/database.ts';
import type { AccountTokens } from '../account-tokens.ts';
import type { AuditLog } from '../audit.ts';
import { burnVerifyTime, verifyPassword } from '../credentials/password-hash.ts';
import { PASSWORD_MAX_LENGTH } from '../credentials/password-rules.ts';
import { FrontdoorError, isFrontdoorError } from '../errors.ts';
import { primaryEmail, type PeopleDirectory, type Person } from '../people.ts';
import type { Registration } from '../registration.ts';
import type { SignInThrottle } from '../throttle.ts';

/** Email validation of new Users: the link (with the registration password) and asking for a new one. */
export class EmailValidation {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #audit: AuditLog;
  readonly #tokens: AccountTokens;
  readonly #throttle: SignInThrottle;
  readonly #registration: Registration;

  constructor(deps: { db: Database; people: PeopleDirectory; audit: AuditLog; tokens: AccountTokens; throttle: SignInThrottle; registration: Registration }) {
    this.#db = deps.db;
    this.#people = deps.people;
    this.#audit = deps.audit;
    this.#tokens = deps.tokens;
    this.#throttle = deps.throttle;
    this.#registration = deps.registration;
  }

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
}
