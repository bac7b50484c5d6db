import type { AccountTokens } from '../account-tokens.ts';
import type { AuditLog } from '../audit.ts';
import { burnVerifyTime, verifyPassword } from '../credentials/password-hash.ts';
import { FrontdoorError, isFrontdoorError } from '../errors.ts';
import { primaryEmail, type PeopleDirectory, type Person } from '../people.ts';
import type { Registration } from '../registration.ts';
import type { RememberedDevices } from '../remembered-devices.ts';
import type { SessionStore } from '../sessions.ts';
import type { SignInThrottle } from '../throttle.ts';

/** A signed-in person's own password: checking it before a sensitive change, and changing it. */
export class PasswordChange {
  readonly #people: PeopleDirectory;
  readonly #sessions: SessionStore;
  readonly #audit: AuditLog;
  readonly #tokens: AccountTokens;
  readonly #throttle: SignInThrottle;
  readonly #registration: Registration;
  readonly #devices: RememberedDevices;

  constructor(deps: {
    people: PeopleDirectory; sessions: SessionStore; audit: AuditLog; tokens: AccountTokens; throttle: SignInThrottle; registration: Registration; devices: RememberedDevices;
  }) {
    this.#people = deps.people;
    this.#sessions = deps.sessions;
    this.#audit = deps.audit;
    this.#tokens = deps.tokens;
    this.#throttle = deps.throttle;
    this.#registration = deps.registration;
    this.#devices = deps.devices;
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

  /**
   * Needs the current password; optionally ends the person's other sessions. Devices remembered
   * for the second factor are always forgotten, as after a reset: a password is changed most
   * often because someone else may know it, and that someone's browser, remembered while they
   * were in, would otherwise still skip the second factor with the next password they learn.
   */
  async changePassword(input: {
    person: Person; sessionId: string; current: string; next: string; endOtherSessions: boolean; ip: string | undefined;
  }): Promise<{ endedSessions: number; forgottenDevices: number }> {
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
      const forgottenDevices = await this.#devices.revokeAllFor(person, 'password changed', { type: 'person', id: person.id });
      await this.#audit.record({
        action: 'password.changed', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id },
        target: { type: 'person', id: person.id }, ip: input.ip, details: { endedSessions, forgottenDevices },
      });
      return { endedSessions, forgottenDevices };
    } catch (error) {
      await this.#audit.record({
        action: 'password.changed', outcome: 'failure', reason: isFrontdoorError(error) ? error.code : 'internal', audience: person.audience,
        actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip: input.ip,
      });
      throw error;
    }
  }
}
