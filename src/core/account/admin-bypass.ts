import { TOKEN_LIFETIME_MS, type AccountTokens } from '../account-tokens.ts';
import type { AuditLog } from '../audit.ts';
import { FrontdoorError, isFrontdoorError } from '../errors.ts';
import { languageOf } from '../languages.ts';
import type { Emails } from '../mail-templates/emails.ts';
import { primaryEmail, type PeopleDirectory, type Person } from '../people.ts';
import type { SignInThrottle } from '../throttle.ts';
import { publicLink } from './public-link.ts';

/** The emailed one-time sign-in link for admins (break-glass, invariant 6; docs/BREAK-GLASS.md). */
export class AdminBypass {
  readonly #people: PeopleDirectory;
  readonly #audit: AuditLog;
  readonly #tokens: AccountTokens;
  readonly #mail: Emails;
  readonly #throttle: SignInThrottle;
  readonly #publicUrl: URL;

  constructor(deps: { people: PeopleDirectory; audit: AuditLog; tokens: AccountTokens; mail: Emails; throttle: SignInThrottle; publicUrl: URL }) {
    this.#people = deps.people;
    this.#audit = deps.audit;
    this.#tokens = deps.tokens;
    this.#mail = deps.mail;
    this.#throttle = deps.throttle;
    this.#publicUrl = deps.publicUrl;
  }

  /** Emails a 5-minute single-use sign-in link to an active admin; the same answer for any other address. */
  async requestAdminBypass(email: string, ip: string | undefined): Promise<void> {
    const found = email.length <= 254 ? await this.#people.findForSignIn('agents', email) : undefined;
    const person = found?.person;
    const eligible = Boolean(person && person.isAdmin && !person.disabled);
    const allowed = eligible && (await this.#throttle.allow(`mail:bypass:${person!.id}`, 5));
    if (person && eligible && allowed) {
      const token = await this.#tokens.issue('admin_bypass', person.id);
      this.#mail.queue(primaryEmail(person), 'adminBypass', languageOf(person), {
        name: person.name, link: publicLink(this.#publicUrl, `/agent/login/bypass/${token}`), expiresMinutes: TOKEN_LIFETIME_MS.admin_bypass / 60_000,
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
