import type { AuthAppRegistry } from './apps.ts';
import type { Audience } from './audience.ts';
import type { AuditLog } from './audit.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import type { PeopleDirectory, Person } from './people.ts';
import type { Session, SessionStore } from './sessions.ts';
import { burnVerifyTime, hashPassword, needsRehash, verifyPassword } from '../protocols/password/hash.ts';
import { PASSWORD_MAX_LENGTH } from '../protocols/password/rules.ts';

export type PasswordSignInRequest = {
  audience: Audience;
  email: string;
  password: string;
  /** The admins' way in when SSO is broken or the password app is off (invariant 6). */
  breakGlass?: boolean;
  ip?: string | undefined;
  userAgent?: string | undefined;
};

export type SignedIn = { person: Person; session: Session; token: string };

export class PasswordSignIn {
  readonly #people: PeopleDirectory;
  readonly #apps: AuthAppRegistry;
  readonly #sessions: SessionStore;
  readonly #audit: AuditLog;

  constructor(people: PeopleDirectory, apps: AuthAppRegistry, sessions: SessionStore, audit: AuditLog) {
    this.#people = people;
    this.#apps = apps;
    this.#sessions = sessions;
    this.#audit = audit;
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
      if (!found?.passwordHash) {
        await burnVerifyTime(request.password);
        throw new FrontdoorError('auth.invalid_credentials', 'The email or password is not right.');
      }
      personId = found.person.id;
      if (!(await verifyPassword(found.passwordHash, request.password))) {
        throw new FrontdoorError('auth.invalid_credentials', 'The email or password is not right.');
      }
      // Only after the password is right do we say more, so these reveal nothing to a guesser.
      if (found.person.disabled) throw new FrontdoorError('auth.account_disabled', 'This account is disabled.');
      if (breakGlass && !found.person.isAdmin) {
        throw new FrontdoorError('auth.forbidden', 'The break-glass sign-in is for admins only.');
      }
      if (needsRehash(found.passwordHash)) {
        await this.#people.storePasswordHash(found.person.id, await hashPassword(request.password));
      }
      const passwordApp = await this.#apps.passwordApp(request.audience);
      const { token, session } = await this.#sessions.create({
        personId: found.person.id, audience: request.audience, appId: passwordApp.id, ip: request.ip, userAgent: request.userAgent,
      });
      await this.#audit.record({
        action: 'signin.password', outcome: 'success', audience: request.audience, actor: { type: 'person', id: found.person.id },
        target: { type: 'session', id: session.id }, ip: request.ip, details: breakGlass ? { breakGlass: true } : undefined,
      });
      return { person: found.person, session, token };
    } catch (error) {
      await this.#audit.record({
        action: 'signin.password', outcome: 'failure', reason: isFrontdoorError(error) ? error.code : 'internal',
        audience: request.audience, actor: personId ? { type: 'person', id: personId } : { type: 'anonymous' }, ip: request.ip,
        details: { email: request.email.slice(0, 254) },
      });
      throw error;
    }
  }
}
