import { z } from 'zod';
import type { Database } from '../storage/database.ts';
import type { AuthAppRegistry } from './apps.ts';
import type { AuditLog } from './audit.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import type { PeopleDirectory, Person } from './people.ts';

export const RegistrationSettingsSchema = z.object({ mode: z.enum(['open', 'closed']) }).strict();
export type RegistrationSettings = z.infer<typeof RegistrationSettingsSchema>;

export type RegistrationRequest = { name: string; email: string; password: string; ip?: string | undefined };

/** Self-registration of Users through the built-in password app. */
export class Registration {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #apps: AuthAppRegistry;
  readonly #audit: AuditLog;

  constructor(db: Database, people: PeopleDirectory, apps: AuthAppRegistry, audit: AuditLog) {
    this.#db = db;
    this.#people = people;
    this.#apps = apps;
    this.#audit = audit;
  }

  async settings(): Promise<RegistrationSettings> {
    const [row] = await this.#db.query<{ registration: 'open' | 'closed' }>(
      "SELECT registration FROM audience_settings WHERE audience = 'users'",
    );
    return { mode: row!.registration };
  }

  async updateSettings(settings: RegistrationSettings, actor: Parameters<AuditLog['record']>[0]['actor']): Promise<RegistrationSettings> {
    await this.#db.transaction(async (q) => {
      await q.query("UPDATE audience_settings SET registration = $1, updated_at = now() WHERE audience = 'users'", [settings.mode]);
      await this.#audit.record(
        { action: 'registration.settings_changed', outcome: 'success', audience: 'users', actor, details: { ...settings } },
        q,
      );
    });
    return this.settings();
  }

  /** Whether the registration page should be offered at all. */
  async isOpen(): Promise<boolean> {
    const [settings, passwordApp] = [await this.settings(), await this.#apps.passwordApp('users')];
    return settings.mode === 'open' && passwordApp.enabled;
  }

  async register(request: RegistrationRequest): Promise<Person> {
    try {
      if (!(await this.isOpen())) {
        throw new FrontdoorError('registration.closed', 'Registration is closed. Ask the helpdesk for an account.');
      }
      const person = await this.#people.create({ audience: 'users', name: request.name, email: request.email, password: request.password });
      await this.#audit.record({
        action: 'registration.created', outcome: 'success', audience: 'users', actor: { type: 'person', id: person.id },
        target: { type: 'person', id: person.id }, ip: request.ip,
      });
      return person;
    } catch (error) {
      const code = isFrontdoorError(error) ? error.code : 'internal';
      // An email already registered gets the same refusal code class as any conflict,
      // but the audit keeps the precise reason for the admin.
      await this.#audit.record({
        action: 'registration.created', outcome: 'failure', reason: code === 'person.email_taken' ? 'registration.email_taken' : code,
        audience: 'users', actor: { type: 'anonymous' }, ip: request.ip,
      });
      if (isFrontdoorError(error) && error.code === 'person.email_taken') {
        throw new FrontdoorError('registration.email_taken', 'An account with this email exists. Sign in, or reset your password.');
      }
      throw error;
    }
  }
}
