import { z } from 'zod';
import type { Database } from '../storage/database.ts';
import type { AccountTokens } from './account-tokens.ts';
import { TOKEN_LIFETIME_MS } from './account-tokens.ts';
import type { AuthAppRegistry } from './apps.ts';
import { BriefCache, deepFreeze } from './brief-cache.ts';
import type { Actor, AuditLog } from './audit.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import { languageOf } from './languages.ts';
import type { Emails } from './mail-templates/emails.ts';
import { primaryEmail, type PeopleDirectory, type Person } from './people.ts';
import type { SignInThrottle } from './throttle.ts';
import { PASSWORD_MIN_LENGTH, PASSWORD_MIN_LENGTH_CEILING } from './credentials/password-rules.ts';

/**
 * - open: anyone may register, and external apps create accounts;
 * - require_registration: as open, but Help Center content needs sign-in;
 * - agent_approval: new accounts wait until an agent approves them;
 * - closed: no self-registration; agents, admins and apps with Auto settings create accounts.
 */
export const RegistrationModeSchema = z.enum(['open', 'require_registration', 'agent_approval', 'closed']);
export type RegistrationMode = z.infer<typeof RegistrationModeSchema>;

const TwoFactorPolicySchema = z
  .object({
    /** Everyone of the audience must use 2FA, from their next sign-in on... */
    required: z.boolean(),
    /** ...or from this moment on (a grace period); null: at once. */
    graceUntil: z.iso.datetime({ offset: true }).nullable(),
  })
  .strict();

export const RegistrationSettingsSchema = z
  .object({
    mode: RegistrationModeSchema,
    /** New self-registered accounts confirm their email by a link before they can sign in. */
    emailValidation: z.boolean(),
    /** Off: the Everyone usergroup does not apply to anonymous visitors; all content needs sign-in. */
    everyoneEnabled: z.boolean(),
    /** For Users and Agents; 8 at least, up to 64. */
    passwordMinLength: z.number().int().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MIN_LENGTH_CEILING),
    twoFactor: z.object({ users: TwoFactorPolicySchema, agents: TwoFactorPolicySchema }).strict(),
    /** Emails to the person: a sign-in from a new address; sign-in paused after failed attempts. */
    alerts: z.object({ newDevice: z.boolean(), failedSignIns: z.boolean() }).strict(),
  })
  .strict();
export type RegistrationSettings = z.infer<typeof RegistrationSettingsSchema>;

/** What PATCH /api/v1/settings/registration accepts: any subset, nested objects too. */
export const RegistrationSettingsChangesSchema = z
  .object({
    mode: RegistrationModeSchema.optional(),
    emailValidation: z.boolean().optional(),
    everyoneEnabled: z.boolean().optional(),
    passwordMinLength: z.number().int().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MIN_LENGTH_CEILING).optional(),
    twoFactor: z
      .object({ users: TwoFactorPolicySchema.partial().optional(), agents: TwoFactorPolicySchema.partial().optional() })
      .strict()
      .optional(),
    alerts: z.object({ newDevice: z.boolean().optional(), failedSignIns: z.boolean().optional() }).strict().optional(),
  })
  .strict();
export type RegistrationSettingsChanges = z.infer<typeof RegistrationSettingsChangesSchema>;

export type RegistrationRequest = { name: string; email: string; password: string; ip?: string | undefined };
/** What a registration led to; `person` is undefined when the email was taken and validation hides it. */
export type RegistrationOutcome = { person: Person | undefined; emailValidationPending: boolean; approvalPending: boolean };

type SettingsRow = {
  audience: 'users' | 'agents'; registration: RegistrationMode; email_validation: boolean; everyone_enabled: boolean; password_min_length: number;
  two_factor_required: boolean; two_factor_grace_until: Date | null; alert_new_device: boolean; alert_failed_sign_ins: boolean;
};

/** Self-registration of Users through the built-in password app, and the account settings. */
export class Registration {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #apps: AuthAppRegistry;
  readonly #audit: AuditLog;
  readonly #tokens: AccountTokens;
  readonly #mail: Emails;
  readonly #publicUrl: URL;
  readonly #throttle: SignInThrottle;
  readonly #settings = new BriefCache<'settings', RegistrationSettings>();

  constructor(
    db: Database, people: PeopleDirectory, apps: AuthAppRegistry, audit: AuditLog, tokens: AccountTokens, mail: Emails, publicUrl: URL, throttle: SignInThrottle,
  ) {
    this.#throttle = throttle;
    this.#db = db;
    this.#people = people;
    this.#apps = apps;
    this.#audit = audit;
    this.#tokens = tokens;
    this.#mail = mail;
    this.#publicUrl = publicUrl;
  }

  /**
   * Read by every sign-in (registration mode, 2FA policy, alerts): kept for under a second and
   * forgotten at once when this node changes them (other nodes see a change within 1 s).
   */
  async settings(): Promise<RegistrationSettings> {
    return this.#settings.get('settings', () => this.#readSettings());
  }

  async #readSettings(): Promise<RegistrationSettings> {
    const rows = await this.#db.query<SettingsRow>('SELECT * FROM audience_settings');
    const users = rows.find((r) => r.audience === 'users')!;
    const agents = rows.find((r) => r.audience === 'agents')!;
    const policy = (row: SettingsRow) => ({
      required: row.two_factor_required,
      graceUntil: row.two_factor_grace_until ? new Date(row.two_factor_grace_until).toISOString() : null,
    });
    return deepFreeze({
      mode: users.registration,
      emailValidation: users.email_validation,
      everyoneEnabled: users.everyone_enabled,
      passwordMinLength: users.password_min_length,
      twoFactor: { users: policy(users), agents: policy(agents) },
      alerts: { newDevice: users.alert_new_device, failedSignIns: users.alert_failed_sign_ins },
    });
  }

  /** Applies any subset of the settings in one transaction, audited with what changed. */
  async updateSettings(changes: RegistrationSettingsChanges, actor: Actor): Promise<RegistrationSettings> {
    const parsed = RegistrationSettingsChangesSchema.safeParse(changes);
    if (!parsed.success) throw new FrontdoorError('request.invalid', `The settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    const c = parsed.data;
    await this.#db.transaction(async (q) => {
      await q.query("SELECT 1 FROM audience_settings WHERE audience = 'users' FOR UPDATE");
      await q.query(
        `UPDATE audience_settings SET registration = COALESCE($1, registration), email_validation = COALESCE($2, email_validation),
            everyone_enabled = COALESCE($3, everyone_enabled), password_min_length = COALESCE($4, password_min_length),
            alert_new_device = COALESCE($5, alert_new_device), alert_failed_sign_ins = COALESCE($6, alert_failed_sign_ins), updated_at = now()
          WHERE audience = 'users'`,
        [c.mode ?? null, c.emailValidation ?? null, c.everyoneEnabled ?? null, c.passwordMinLength ?? null, c.alerts?.newDevice ?? null, c.alerts?.failedSignIns ?? null],
      );
      for (const audience of ['users', 'agents'] as const) {
        const policy = c.twoFactor?.[audience];
        if (!policy) continue;
        await q.query(
          `UPDATE audience_settings SET two_factor_required = COALESCE($2, two_factor_required),
              two_factor_grace_until = CASE WHEN $3::boolean THEN $4::timestamptz ELSE two_factor_grace_until END, updated_at = now()
            WHERE audience = $1`,
          [audience, policy.required ?? null, policy.graceUntil !== undefined, policy.graceUntil ?? null],
        );
      }
      await this.#audit.record({ action: 'registration.settings_changed', outcome: 'success', audience: 'users', actor, details: { ...c } }, q);
    });
    this.#settings.forgetAll();
    return this.settings();
  }

  /**
   * Whether the registration page should be offered at all. Never while an Automatic app
   * signs Users in (invariant 7): registering would be a password door around it.
   */
  async isOpen(): Promise<boolean> {
    const [settings, passwordApp] = [await this.settings(), await this.#apps.passwordApp('users')];
    return settings.mode !== 'closed' && passwordApp.enabled && !(await this.#apps.automaticApp('users'));
  }

  /**
   * A new User. With email validation on they get a link and cannot sign in until they use
   * it; with agent approval they wait for an agent. The caller signs them in only when
   * neither is pending.
   *
   * With email validation on, an email that already has an account answers exactly as a new
   * one would (`emailValidationPending`, no person created) and its owner gets an email
   * instead: the form must not tell a stranger which addresses have accounts here. Without
   * validation the new account is signed in at once, so a taken email cannot be hidden and
   * is refused with `registration.email_taken` (docs/SECURITY.md says what each mode hides).
   */
  async register(request: RegistrationRequest): Promise<RegistrationOutcome> {
    try {
      await refuseUnderAutomatic(this.#apps, 'users');
      if (!(await this.isOpen())) {
        throw new FrontdoorError('registration.closed', 'Registration is closed. Ask the helpdesk for an account.');
      }
      const settings = await this.settings();
      const person = await this.#people.create({
        audience: 'users', name: request.name, email: request.email, password: request.password,
        passwordMinLength: settings.passwordMinLength,
        approvalPending: settings.mode === 'agent_approval',
        emailValidationPending: settings.emailValidation,
      });
      await this.#audit.record({
        action: 'registration.created', outcome: 'success', audience: 'users', actor: { type: 'person', id: person.id },
        target: { type: 'person', id: person.id }, ip: request.ip,
        details: { approvalPending: person.approvalPending, emailValidationPending: person.emailValidationPending },
      });
      if (person.emailValidationPending) await this.sendValidationLink(person);
      return { person, emailValidationPending: person.emailValidationPending, approvalPending: person.approvalPending };
    } catch (error) {
      const code = isFrontdoorError(error) ? error.code : 'internal';
      // An email already registered gets the same refusal code class as any conflict,
      // but the audit keeps the precise reason for the admin.
      await this.#audit.record({
        action: 'registration.created', outcome: 'failure', reason: code === 'person.email_taken' ? 'registration.email_taken' : code,
        audience: 'users', actor: { type: 'anonymous' }, ip: request.ip,
      });
      if (isFrontdoorError(error) && error.code === 'person.email_taken' && (await this.settings()).emailValidation) {
        await this.#tellOwnerOfAttempt(request.email);
        const settings = await this.settings();
        return { person: undefined, emailValidationPending: true, approvalPending: settings.mode === 'agent_approval' };
      }
      if (isFrontdoorError(error) && error.code === 'person.email_taken') {
        throw new FrontdoorError('registration.email_taken', 'An account with this email exists. Sign in, or reset your password.');
      }
      throw error;
    }
  }

  /** The owner of a taken email hears of the attempt (at most 5 such mails an hour each), queued so the answer takes no longer. */
  async #tellOwnerOfAttempt(email: string): Promise<void> {
    const found = await this.#people.findForSignIn('users', email);
    if (!found || found.person.disabled) return;
    if (!(await this.#throttle.allow(`mail:registration:${found.person.id}`, 5))) return;
    const base = this.#publicUrl.pathname.replace(/\/$/, '');
    this.#mail.queue(primaryEmail(found.person), 'registrationAttempt', languageOf(found.person), {
      name: found.person.name, loginLink: new URL(`${base}/login`, this.#publicUrl).href, resetLink: new URL(`${base}/password/forgot`, this.#publicUrl).href,
    });
  }

  async sendValidationLink(person: Person): Promise<void> {
    const token = await this.#tokens.issue('email_validation', person.id);
    const link = new URL(`${this.#publicUrl.pathname.replace(/\/$/, '')}/register/validate?token=${token}`, this.#publicUrl).href;
    this.#mail.queue(primaryEmail(person), 'emailValidation', languageOf(person), {
      name: person.name, link, expiresHours: TOKEN_LIFETIME_MS.email_validation / 3_600_000,
    });
  }

  /** Whether anonymous visitors may read anything: not when sign-in is required or Everyone is off. */
  async anonymousReadingAllowed(): Promise<boolean> {
    const settings = await this.settings();
    return settings.mode !== 'require_registration' && settings.everyoneEnabled;
  }
}

/**
 * Invariant 7: with an Automatic app on an audience, no password door of that audience is
 * open (registration, password sign-in, forgot and reset); the admins' break-glass door is
 * the documented exception (PasswordSignIn). Thrown before anything is read or written.
 */
export async function refuseUnderAutomatic(apps: AuthAppRegistry, audience: 'users' | 'agents'): Promise<void> {
  const automatic = await apps.automaticApp(audience);
  if (automatic) {
    throw new FrontdoorError('auth.method_disabled', `Passwords are not used here: everyone signs in with ${automatic.name}.`, { automaticApp: automatic.slug });
  }
}

/**
 * The reset doors (forgot, and every reset link) are password doors too: while the audience's
 * password app is disabled nobody signs in with a password, so a reset must not set one
 * either (it would be a way around the switch; issue 14 follow-up). The same refusal as under
 * Automatic; the admins' break-glass door (password form with `?local=1`, the emailed bypass
 * link, the CLI) does not go through here and stays open (docs/BREAK-GLASS.md).
 */
export async function refuseClosedPasswordDoor(apps: AuthAppRegistry, audience: 'users' | 'agents'): Promise<void> {
  await refuseUnderAutomatic(apps, audience);
  if (!(await apps.passwordApp(audience)).enabled) {
    throw new FrontdoorError('auth.method_disabled', 'Passwords are not used here: sign-in with a password is turned off. Sign in with one of the other methods on the sign-in page.', { passwordApp: 'disabled' });
  }
}
