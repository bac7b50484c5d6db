import type { Database } from '../../storage/database.ts';
import type { Statement } from '../../storage/statement.ts';
import type { Audience } from '../audience.ts';
import { FrontdoorError } from '../errors.ts';
import { languageOf } from '../languages.ts';
import type { Emails } from '../mail-templates/emails.ts';
import { primaryEmail, type Person } from '../people.ts';
import type { Registration } from '../registration.ts';
import type { Session, SessionRestriction, SessionStore } from '../sessions.ts';
import type { TwoFactor } from '../two-factor.ts';

export type StartedSession = { person: Person; session: Session; token: string };

/**
 * How a verified first factor becomes a session, or a session waiting for the second factor
 * (or its set-up), and how that restricted session is finished; with the new-address alert.
 */
export class SignInSessions {
  readonly #db: Database;
  readonly #sessions: SessionStore;
  readonly #mail: Emails;
  readonly #twoFactor: TwoFactor;
  readonly #registration: Registration;

  constructor(deps: { db: Database; sessions: SessionStore; mail: Emails; twoFactor: TwoFactor; registration: Registration }) {
    this.#db = deps.db;
    this.#sessions = deps.sessions;
    this.#mail = deps.mail;
    this.#twoFactor = deps.twoFactor;
    this.#registration = deps.registration;
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
    const lifted = await this.#sessions.lift(session.id, session.audience);
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
    this.#mail.queue(primaryEmail(person), 'newDevice', languageOf(person), {
      name: person.name, ip: session.ip ?? 'unknown', userAgent: session.userAgent ?? 'unknown', at: session.createdAt,
    });
  }
}
