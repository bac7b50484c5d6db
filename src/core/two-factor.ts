import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { Database } from '../storage/database.ts';
import type { AccountTokens } from './account-tokens.ts';
import { TOKEN_LIFETIME_MS } from './account-tokens.ts';
import type { Actor, AuditLog } from './audit.ts';
import type { Clock } from './clock.ts';
import { FrontdoorError } from './errors.ts';
import { languageOf } from './languages.ts';
import type { Emails } from './mail-templates/emails.ts';
import { primaryEmail, type PeopleDirectory, type Person } from './people.ts';
import type { Registration } from './registration.ts';
import type { RememberedDevices } from './remembered-devices.ts';
import type { SecretBox } from './secrets.ts';
import type { SignInThrottle } from './throttle.ts';
import { hashToken } from './tokens.ts';
import { base32Encode, matchingTotpSteps, newTotpSecret, otpauthUri } from './credentials/totp.ts';

export type SecondFactorMethod = 'totp' | 'email' | 'recovery';
export const RECOVERY_CODE_COUNT = 10;

/** What a sign-in must do about 2FA for this person now. */
export type TwoFactorRequirement = 'enrolled' | 'required' | 'grace' | 'optional';

/**
 * Second factors: TOTP (RFC 6238), email codes, and recovery codes. Every code is accepted
 * once, enforced by the database (a primary key on the used TOTP step, conditional UPDATEs on
 * email and recovery codes), so two requests carrying one code get one success between them.
 */
export class TwoFactor {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #box: SecretBox;
  readonly #tokens: AccountTokens;
  readonly #mail: Emails;
  readonly #audit: AuditLog;
  readonly #throttle: SignInThrottle;
  readonly #people: PeopleDirectory;
  readonly #registration: Registration;
  readonly #issuer: string;
  readonly #devices: RememberedDevices;

  constructor(deps: {
    db: Database; clock: Clock; box: SecretBox; tokens: AccountTokens; mail: Emails; audit: AuditLog; throttle: SignInThrottle;
    people: PeopleDirectory; registration: Registration; issuer: string; devices: RememberedDevices;
  }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#box = deps.box;
    this.#tokens = deps.tokens;
    this.#mail = deps.mail;
    this.#audit = deps.audit;
    this.#throttle = deps.throttle;
    this.#people = deps.people;
    this.#registration = deps.registration;
    this.#issuer = deps.issuer;
    this.#devices = deps.devices;
  }

  /** Enrolled; else required now (audience policy or per person, past any grace date); else in grace; else optional. */
  async requirement(person: Person): Promise<TwoFactorRequirement> {
    if (person.twoFactor.methods.length > 0) return 'enrolled';
    const policy = (await this.#registration.settings()).twoFactor[person.audience];
    const now = this.#clock.now().getTime();
    const states = [
      policy.required ? policy.graceUntil : undefined,
      person.twoFactor.required ? person.twoFactor.graceUntil : undefined,
    ].filter((grace) => grace !== undefined);
    if (states.length === 0) return 'optional';
    return states.some((grace) => grace === null || new Date(grace).getTime() <= now) ? 'required' : 'grace';
  }

  /** A new (unconfirmed) TOTP secret: its text form, the otpauth URI and the QR code as an SVG data URI. */
  async beginTotp(person: Person): Promise<{ secret: string; uri: string; qrDataUri: string }> {
    if (person.twoFactor.methods.includes('totp')) {
      throw new FrontdoorError('two_factor.already_enabled', 'An authenticator app is already set up. Remove it first to set up another.');
    }
    const secret = newTotpSecret();
    await this.#db.query(
      `INSERT INTO totp_secrets (person_id, secret, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (person_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = EXCLUDED.created_at WHERE totp_secrets.confirmed_at IS NULL`,
      [person.id, this.#box.seal(secret.toString('base64')), this.#clock.now()],
    );
    return this.#enrolmentView(person, secret);
  }

  /** The pending enrolment again (re-showing the page after a wrong code). */
  async pendingTotp(person: Person): Promise<{ secret: string; uri: string; qrDataUri: string } | undefined> {
    const [row] = await this.#db.query<{ secret: Uint8Array }>('SELECT secret FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NULL', [person.id]);
    return row ? this.#enrolmentView(person, Buffer.from(this.#box.open(row.secret), 'base64')) : undefined;
  }

  async #enrolmentView(person: Person, secret: Buffer) {
    const uri = otpauthUri({ secret, issuer: this.#issuer, account: primaryEmail(person) });
    const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret: base32Encode(secret).replace(/(.{4})/g, '$1 ').trim(), uri, qrDataUri: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
  }

  /** Confirms the pending TOTP secret with a code from the app; returns the new recovery codes (shown once). */
  async confirmTotp(person: Person, code: string, ip: string | undefined): Promise<string[]> {
    const [row] = await this.#db.query<{ secret: Uint8Array }>('SELECT secret FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NULL', [person.id]);
    if (!row) throw new FrontdoorError('two_factor.not_enrolled', 'Start the set-up again: there is no authenticator app waiting to be confirmed.');
    await this.#verifyTotp(person, Buffer.from(this.#box.open(row.secret), 'base64'), code, ip);
    await this.#db.query('UPDATE totp_secrets SET confirmed_at = $2 WHERE person_id = $1', [person.id, this.#clock.now()]);
    await this.#audit.record({ action: 'two_factor.enabled', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip, details: { method: 'totp' } });
    return this.#recoveryCodesIfNone(person.id);
  }

  /** Emails a sign-in code (10 minutes, single use). */
  async sendEmailCode(person: Person, ip: string | undefined): Promise<void> {
    // Someone who knows the password must not be able to flood the inbox.
    if (!(await this.#throttle.allow(`mail:code:${person.id}`, 10))) {
      throw new FrontdoorError('auth.throttled', 'Too many codes were sent in the last hour. Use one of them, or try again later.', { retryAfterSeconds: 3600 });
    }
    const code = await this.#tokens.issueCode(person.id);
    this.#mail.queue(primaryEmail(person), 'emailCode', languageOf(person), { name: person.name, code, expiresMinutes: TOKEN_LIFETIME_MS.email_code / 60_000 });
    await this.#audit.record({ action: 'two_factor.email_code_sent', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip });
  }

  /** Turns email codes on as the person's second factor, after they typed one they received. */
  async confirmEmailCodes(person: Person, code: string, ip: string | undefined): Promise<string[]> {
    await this.verify(person, 'email', code, ip);
    await this.#db.query('UPDATE people SET email_two_factor_at = COALESCE(email_two_factor_at, $2) WHERE id = $1', [person.id, this.#clock.now()]);
    await this.#audit.record({ action: 'two_factor.enabled', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip, details: { method: 'email' } });
    return this.#recoveryCodesIfNone(person.id);
  }

  /**
   * Checks one second-factor code, throttled like passwords. Throws `two_factor.code_invalid`,
   * `two_factor.code_used` or `auth.throttled`; every outcome is audited.
   */
  async verify(person: Person, method: SecondFactorMethod, rawCode: string, ip: string | undefined): Promise<void> {
    const subject = { audience: person.audience, account: `person:${person.id}`, ip, personId: person.id };
    const code = rawCode.replace(/[\s-]/g, '');
    try {
      await this.#throttle.check(subject);
      if (method === 'totp') {
        const [row] = await this.#db.query<{ secret: Uint8Array }>('SELECT secret FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NOT NULL', [person.id]);
        if (!row) throw new FrontdoorError('two_factor.not_enrolled', 'No authenticator app is set up for this account.');
        await this.#verifyTotp(person, Buffer.from(this.#box.open(row.secret), 'base64'), code, ip);
      } else if (method === 'email') {
        const result = await this.#tokens.consumeCode(person.id, code);
        if (result === 'used') throw new FrontdoorError('two_factor.code_used', 'This code was already used. Ask for a new one.');
        if (result === 'invalid') throw new FrontdoorError('two_factor.code_invalid', 'The code is not right, or it has expired. Codes expire after 10 minutes.');
      } else {
        const rows = await this.#db.query(
          'UPDATE recovery_codes SET used_at = $3 WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING person_id',
          [person.id, recoveryHash(person.id, code), this.#clock.now()],
        );
        if (rows.length === 0) {
          const used = await this.#db.query('SELECT 1 FROM recovery_codes WHERE person_id = $1 AND code_hash = $2', [person.id, recoveryHash(person.id, code)]);
          throw used.length
            ? new FrontdoorError('two_factor.code_used', 'This recovery code was already used. Each works once.')
            : new FrontdoorError('two_factor.code_invalid', 'This recovery code is not right.');
        }
      }
      await this.#throttle.recordSuccess(subject);
      await this.#audit.record({ action: 'signin.second_factor', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip, details: { method } });
    } catch (error) {
      const fd = error instanceof FrontdoorError ? error : undefined;
      if (fd && (fd.code === 'two_factor.code_invalid' || fd.code === 'two_factor.code_used')) {
        await this.#throttle.recordFailure(subject, method === 'totp' ? 'totp' : method === 'email' ? 'email_code' : 'recovery_code');
      }
      await this.#audit.record({
        action: 'signin.second_factor', outcome: 'failure', reason: fd?.code ?? 'internal', audience: person.audience,
        actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip, details: { method },
      });
      throw error;
    }
  }

  async #verifyTotp(person: Person, secret: Buffer, code: string, _ip: string | undefined): Promise<void> {
    const steps = matchingTotpSteps(secret, code, this.#clock.now());
    if (steps.length === 0) throw new FrontdoorError('two_factor.code_invalid', 'The code is not right. Check the time on your phone, and use the newest code.');
    // RFC 6238 5.2: first use wins, in the database, across nodes and concurrent requests.
    const inserted = await this.#db.query(
      'INSERT INTO totp_used_steps (person_id, step, used_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING step',
      [person.id, steps[0], this.#clock.now()],
    );
    if (inserted.length === 0) throw new FrontdoorError('two_factor.code_used', 'This code was already used. Wait for the next one.');
    await this.#db.query('DELETE FROM totp_used_steps WHERE person_id = $1 AND step < $2', [person.id, steps[0]! - 10]);
  }

  /** New recovery codes replace the old ones; shown once, stored as SHA-256. */
  async regenerateRecoveryCodes(person: Person, ip?: string): Promise<string[]> {
    if (person.twoFactor.methods.length === 0) throw new FrontdoorError('two_factor.not_enrolled', 'Set up two-factor authentication first.');
    const codes = await this.#db.transaction(async (q) => {
      await q.query('DELETE FROM recovery_codes WHERE person_id = $1', [person.id]);
      return insertRecoveryCodes(q, person.id);
    });
    await this.#audit.record({ action: 'two_factor.recovery_codes_created', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id }, target: { type: 'person', id: person.id }, ip });
    return codes;
  }

  async recoveryCodesLeft(personId: string): Promise<number> {
    const [row] = await this.#db.query<{ n: number }>('SELECT count(*)::int AS n FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL', [personId]);
    return row!.n;
  }

  async #recoveryCodesIfNone(personId: string): Promise<string[]> {
    return this.#db.transaction(async (q) => {
      const existing = await q.query('SELECT 1 FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL LIMIT 1', [personId]);
      return existing.length ? [] : insertRecoveryCodes(q, personId);
    });
  }

  /** Removes every second factor (the person's own choice, or an admin's for a locked-out agent). */
  async remove(personId: string, actor: Actor): Promise<Person> {
    const person = await this.#people.require(personId);
    await this.#db.transaction(async (q) => {
      await q.query('DELETE FROM totp_secrets WHERE person_id = $1', [personId]);
      await q.query('DELETE FROM recovery_codes WHERE person_id = $1', [personId]);
      await q.query("DELETE FROM account_tokens WHERE person_id = $1 AND purpose = 'email_code'", [personId]);
      await q.query('UPDATE people SET email_two_factor_at = NULL, updated_at = now() WHERE id = $1', [personId]);
      // A device remembered for factors that are gone would skip whatever is set up next.
      await this.#devices.revokeAllFor(person, 'second factors removed', actor, q);
      await this.#audit.record({ action: 'two_factor.removed', outcome: 'success', audience: person.audience, actor, target: { type: 'person', id: personId } }, q);
    });
    return (await this.#people.get(personId))!;
  }

  /** An admin requires 2FA of one person (from their next sign-in, or after a grace date), or stops requiring it. */
  async setRequirement(personId: string, requirement: { required: boolean; graceUntil?: string | null | undefined }, actor: Actor): Promise<Person> {
    const person = await this.#people.require(personId);
    await this.#db.query('UPDATE people SET two_factor_required = $2, two_factor_grace_until = $3, updated_at = now() WHERE id = $1', [
      personId, requirement.required, requirement.graceUntil ?? null,
    ]);
    await this.#audit.record({ action: 'two_factor.requirement_changed', outcome: 'success', audience: person.audience, actor, target: { type: 'person', id: personId }, details: { ...requirement } });
    return (await this.#people.get(personId))!;
  }
}

async function insertRecoveryCodes(q: { query(text: string, params?: readonly unknown[]): Promise<unknown[]> }, personId: string): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    // 10 base32 characters: 50 bits, typed as xxxxx-xxxxx.
    const raw = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
    const code = `${raw.slice(0, 5)}-${raw.slice(5)}`;
    codes.push(code);
    await q.query('INSERT INTO recovery_codes (person_id, code_hash) VALUES ($1, $2)', [personId, recoveryHash(personId, code.replace('-', ''))]);
  }
  return codes;
}

function recoveryHash(personId: string, code: string): Buffer {
  return hashToken(`recovery:${personId}:${code.toLowerCase()}`);
}
