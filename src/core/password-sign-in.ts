import type { SignInSessions } from './account/sign-in-sessions.ts';
import type { AuthAppRegistry } from './apps.ts';
import type { Audience } from './audience.ts';
import { auditStatement, type AuditLog } from './audit.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import { languageOf } from './languages.ts';
import type { Emails } from './mail-templates/emails.ts';
import { primaryEmail, type PeopleDirectory, type Person } from './people.ts';
import type { Registration } from './registration.ts';
import type { Session } from './sessions.ts';
import type { SignInThrottle } from './throttle.ts';
import { burnVerifyTime, hashPassword, needsRehash, verifyPassword } from './credentials/password-hash.ts';
import { PASSWORD_MAX_LENGTH } from './credentials/password-rules.ts';

export type PasswordSignInRequest = {
  audience: Audience;
  email: string;
  password: string;
  /** The admins' way in when SSO is broken or the password app is off (invariant 6). */
  breakGlass?: boolean;
  ip?: string | undefined;
  userAgent?: string | undefined;
};

/** `session.restriction` set: the password was right, the second factor (or its set-up) is next. */
export type SignedIn = { person: Person; session: Session; token: string };

export class PasswordSignIn {
  readonly #people: PeopleDirectory;
  readonly #apps: AuthAppRegistry;
  readonly #audit: AuditLog;
  readonly #throttle: SignInThrottle;
  readonly #flows: SignInSessions;
  readonly #mail: Emails;
  readonly #registration: Registration;

  constructor(deps: {
    people: PeopleDirectory; apps: AuthAppRegistry; audit: AuditLog; throttle: SignInThrottle; flows: SignInSessions; mail: Emails; registration: Registration;
  }) {
    this.#people = deps.people;
    this.#apps = deps.apps;
    this.#audit = deps.audit;
    this.#throttle = deps.throttle;
    this.#flows = deps.flows;
    this.#mail = deps.mail;
    this.#registration = deps.registration;
  }

  /** Whether the password form is offered to everyone in this audience. */
  async isAvailable(audience: Audience): Promise<boolean> {
    const passwordApp = await this.#apps.passwordApp(audience);
    return passwordApp.enabled && !(await this.#apps.automaticApp(audience));
  }

  async signIn(request: PasswordSignInRequest): Promise<SignedIn> {
    let personId: string | undefined;
    try {
      const breakGlass = request.breakGlass === true && request.audience === 'agents';
      if (!breakGlass && !(await this.isAvailable(request.audience))) {
        throw new FrontdoorError('auth.method_disabled', 'Sign-in with a password is turned off here.');
      }
      const found = request.password.length <= PASSWORD_MAX_LENGTH * 4 ? await this.#people.findForSignIn(request.audience, request.email) : undefined;
      // Throttled before the password is looked at, for known and unknown emails alike.
      const subject = {
        audience: request.audience, account: found ? `person:${found.person.id}` : request.email.trim().slice(0, 254), ip: request.ip, personId: found?.person.id,
      };
      const throttleState = await this.#throttle.check(subject);
      if (!found?.passwordHash) {
        await burnVerifyTime(request.password);
        await this.#recordFailure(subject, found?.person);
        throw new FrontdoorError('auth.invalid_credentials', 'The email or password is not right.');
      }
      personId = found.person.id;
      if (!(await verifyPassword(found.passwordHash, request.password))) {
        await this.#recordFailure(subject, found.person);
        throw new FrontdoorError('auth.invalid_credentials', 'The email or password is not right.');
      }
      await this.#throttle.recordSuccess(subject, { seen: throttleState });
      // Only after the password is right do we say more, so these reveal nothing to a guesser.
      this.#flows.assertMaySignIn(found.person);
      if (breakGlass && !found.person.isAdmin) {
        throw new FrontdoorError('auth.forbidden', 'The break-glass sign-in is for admins only.');
      }
      if (needsRehash(found.passwordHash)) {
        await this.#people.storePasswordHash(found.person.id, await hashPassword(request.password));
      }
      const passwordApp = await this.#apps.passwordApp(request.audience);
      // The session and its audit entry are one statement.
      return await this.#flows.startSession(found.person, {
        audience: request.audience, appId: passwordApp.id, ip: request.ip, userAgent: request.userAgent,
        alsoWrite: (session) => [
          auditStatement({
            action: 'signin.password', outcome: 'success', audience: request.audience, actor: { type: 'person', id: found.person.id },
            target: { type: 'session', id: session.id }, ip: request.ip,
            details: { ...(breakGlass ? { breakGlass: true } : {}), ...(session.restriction ? { pending: session.restriction } : {}) },
          }),
        ],
      });
    } catch (error) {
      await this.#audit.record({
        action: 'signin.password', outcome: 'failure', reason: isFrontdoorError(error) ? error.code : 'internal',
        audience: request.audience, actor: personId ? { type: 'person', id: personId } : { type: 'anonymous' }, ip: request.ip,
        details: { email: request.email.slice(0, 254) },
      });
      throw error;
    }
  }

  async #recordFailure(subject: Parameters<SignInThrottle['recordFailure']>[0], person: Person | undefined): Promise<void> {
    const blocks = await this.#throttle.recordFailure(subject, 'password');
    const personal = blocks.find((b) => b.scope === 'pair' || b.scope === 'account');
    if (person && personal && (await this.#registration.settings()).alerts.failedSignIns) {
      this.#mail.queue(primaryEmail(person), 'failedSignIns', languageOf(person), {
        name: person.name, ip: subject.ip ?? 'unknown', until: personal.until.toISOString(),
      });
    }
  }
}
