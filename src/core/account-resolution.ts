import type { Database, Queryable } from '../storage/database.ts';
import type { AuthApp } from './apps.ts';
import { auditStatement, type AuditEntry } from './audit.ts';
import { ExternalSettingsSchema, storedConfigOf, type ExternalSettings } from './app-config.ts';
import { FrontdoorError } from './errors.ts';
import type { PeopleDirectory, Person } from './people.ts';
import type { Registration } from './registration.ts';
import { useUp, type SingleUse } from './replay-cache.ts';
import { EmailSchema } from './validation.ts';

/** What an identity service told us about the person, already verified by the protocol code. */
export type ExternalProfile = {
  /** Stable id at the identity service (Microsoft: `tid:oid`), never a mutable email. */
  subject: string;
  issuer: string;
  email: string | undefined;
  /** True only when the service asserted a boolean `true` (the string "false" is false). */
  emailVerified: boolean;
  name: string | undefined;
  groups: string[];
  /** Custom usergroups to add by name (JWT apps with mapGroups); names that match none are skipped. */
  usergroupNames?: string[] | undefined;
  /** All claims, for filters on an arbitrary claim. */
  claims: Record<string, unknown>;
};

export type ResolvedAccount = { person: Person; outcome: 'signed_in' | 'linked' | 'created' };

type AccountDecision = { outcome: 'signed_in'; personId: string } | { outcome: 'linked'; personId: string } | { outcome: 'created'; email: string };

/** What a sign-in with this profile would do (AccountResolver.preview), for a test sign-in's report. */
export type AccountPreview = {
  /** The email as it would be stored, if it is one. */
  email: string | undefined;
  /** Verified by the service and trusted by the app (trustEmail): it may link to an existing account. */
  emailTrusted: boolean;
  /** Custom usergroups the sign-in would add (existing ones, by name). */
  usergroups: string[];
  registrationOpen: boolean;
  /** The app's filter refused the profile. */
  filter?: FrontdoorError | undefined;
  refusal?: FrontdoorError | undefined;
  outcome?: ResolvedAccount['outcome'] | undefined;
  /** The existing account reached (signed in, or linked by email). */
  person?: Person | undefined;
  /** A new User would wait for approval (registration mode agent_approval). */
  approvalPending?: boolean | undefined;
};

/** The settings every external app shares, read once per stored config. */
export function externalSettingsOf(app: Pick<AuthApp, 'config'>): ExternalSettings {
  return storedConfigOf(app, ExternalSettingsSchema);
}

/**
 * Turns a verified external identity into a person of the app's audience, in one transaction:
 * 1. a known identity (app, subject) signs its person in;
 * 2. else the person with that email is linked, only if the service verified the email, the
 *    app trusts its verification, and that account's own email was proven by its holder
 *    (invariant 5: never a silent takeover, see refuseUnprovenOwner);
 * 3. else a new person is created when the audience allows it (open registration for Users,
 *    Auto Agent for Agents);
 * 4. else a clear refusal.
 * Advisory locks on the identity and the email make concurrent first sign-ins of one person
 * create exactly one account (invariant 4).
 */
export class AccountResolver {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #registration: Registration;

  constructor(db: Database, people: PeopleDirectory, registration: Registration) {
    this.#db = db;
    this.#people = people;
    this.#registration = registration;
  }

  /**
   * `singleUse`: a one-time id of the answer (a JWT's jti), used up in the returning person's
   * statement, or on its own before the slower path; a reuse is refused before anything else
   * is written.
   */
  async resolve(app: AuthApp, profile: ExternalProfile, singleUse?: SingleUse): Promise<ResolvedAccount> {
    const settings = externalSettingsOf(app);
    const email = profile.email === undefined ? undefined : normaliseEmail(profile.email);
    checkFilter(settings, profile, email);
    const mode = app.audience === 'users' ? (await this.#registration.settings()).mode : undefined;
    // Open, require-registration and agent-approval modes all let new Users in (the last one
    // as pending accounts); closed only through an app with Auto User. Agents need Auto Agent.
    const registrationOpen = app.audience === 'users' ? mode !== 'closed' || settings.autoUser : settings.autoAgent;

    const returning = await this.#returningPerson(app, profile, email, settings, singleUse);
    if (returning.person) return { person: returning.person, outcome: 'signed_in' };
    if (singleUse && !returning.usedUp) await useUp(this.#db, singleUse);

    const resolved = await this.#db.transaction(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`identity:${app.id}:${profile.subject}`]);
      if (email) await q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`email:${app.audience}:${email.toLowerCase()}`]);
      // Decided under the locks, then done: the same decision a test sign-in previews (preview()).
      const decision = await decideAccount(q, app, profile, email, settings, registrationOpen);
      if (decision.outcome === 'signed_in') {
        const { personId } = decision;
        await q.query('UPDATE identities SET last_used_at = now(), email = $2, issuer = $3 WHERE app_id = $1 AND subject = $4', [
          app.id, email ?? null, profile.issuer, profile.subject,
        ]);
        if (settings.syncProfile) await this.#syncProfile(q, personId, app, profile, email, settings);
        await applyLoginActions(q, personId, app, profile, settings);
        return { personId, outcome: 'signed_in' as const };
      }
      if (decision.outcome === 'linked') {
        await insertIdentity(q, app, profile, decision.personId, email);
        await applyLoginActions(q, decision.personId, app, profile, settings);
        return { personId: decision.personId, outcome: 'linked' as const };
      }
      const person = await this.#people.create(
        {
          audience: app.audience,
          name: profile.name?.trim() || decision.email.split('@')[0]!,
          email: decision.email,
          emailVerified: profile.emailVerified && settings.trustEmail,
          approvalPending: mode === 'agent_approval',
        },
        q,
      );
      await insertIdentity(q, app, profile, person.id, decision.email);
      await applyLoginActions(q, person.id, app, profile, settings);
      return { personId: person.id, outcome: 'created' as const };
    });

    const person = (await this.#people.get(resolved.personId))!;
    if (person.disabled) throw new FrontdoorError('auth.account_disabled', 'This account is disabled.');
    if (person.audience !== app.audience) throw new FrontdoorError('auth.wrong_audience', 'This sign-in method is for another audience.');
    return { person, outcome: resolved.outcome };
  }

  /**
   * What resolve() would do with this profile, writing nothing (a test sign-in's report): the
   * filter, then the same decision resolve() takes under its locks (decideAccount), and the
   * usergroups its login actions would add. A refusal is returned, not thrown.
   */
  async preview(app: AuthApp, profile: ExternalProfile): Promise<AccountPreview> {
    const settings = externalSettingsOf(app);
    const email = profile.email === undefined ? undefined : normaliseEmail(profile.email);
    const mode = app.audience === 'users' ? (await this.#registration.settings()).mode : undefined;
    const registrationOpen = app.audience === 'users' ? mode !== 'closed' || settings.autoUser : settings.autoAgent;
    const usergroups = await usergroupsToAdd(this.#db, app, profile, settings);
    const base = { email, emailTrusted: profile.emailVerified && settings.trustEmail, usergroups, registrationOpen };
    try {
      checkFilter(settings, profile, email);
    } catch (error) {
      if (!(error instanceof FrontdoorError)) throw error;
      return { ...base, filter: error, refusal: error };
    }
    try {
      const decision = await decideAccount(this.#db, app, profile, email, settings, registrationOpen);
      if (decision.outcome === 'created') return { ...base, outcome: 'created', approvalPending: mode === 'agent_approval' };
      const person = (await this.#people.get(decision.personId))!;
      if (person.audience !== app.audience) throw new FrontdoorError('auth.wrong_audience', 'This sign-in method is for another audience.');
      return { ...base, outcome: decision.outcome, person };
    } catch (error) {
      if (!(error instanceof FrontdoorError)) throw error;
      return { ...base, refusal: error };
    }
  }

  /**
   * Links this identity to a person who is signed in and asked for it from their account page
   * (the Kratos "settings" flow): the person proved the account (their session) and the
   * identity (this sign-in) in one browser, so no email rule is needed. The app's filter still
   * applies. Returns whether it was linked now or already was; an identity of someone else is
   * `sso.identity_taken`, never moved.
   */
  async linkToPerson(app: AuthApp, profile: ExternalProfile, personId: string): Promise<'linked' | 'already_linked'> {
    const settings = externalSettingsOf(app);
    const email = profile.email === undefined ? undefined : normaliseEmail(profile.email);
    checkFilter(settings, profile, email);
    return this.#db.transaction(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`identity:${app.id}:${profile.subject}`]);
      const known = await q.query<{ person_id: string }>('SELECT person_id FROM identities WHERE app_id = $1 AND subject = $2', [app.id, profile.subject]);
      if (known[0]) {
        if (known[0].person_id === personId) return 'already_linked' as const;
        throw new FrontdoorError('sso.identity_taken', 'This account at the identity service already signs in to another account here. Ask the helpdesk to sort it out.', { check: 'identity_taken' });
      }
      const owner = await q.query<{ audience: string }>('SELECT audience FROM people WHERE id = $1 AND disabled_at IS NULL FOR UPDATE', [personId]);
      if (owner[0]?.audience !== app.audience) throw new FrontdoorError('auth.required', 'Please sign in again, then link the sign-in method.');
      await insertIdentity(q, app, profile, personId, email);
      return 'linked' as const;
    });
  }

  /**
   * The everyday case in one statement: a known identity of a live person, whose profile
   * matches what we hold and whose app adds no usergroups. Its last use is recorded and the
   * person read back together. Anything else (unknown, disabled, a profile to sync, login
   * actions) takes the locked transaction above, which decides and refuses exactly as before.
   */
  async #returningPerson(
    app: AuthApp, profile: ExternalProfile, email: string | undefined, settings: ExternalSettings, singleUse: SingleUse | undefined,
  ): Promise<{ person?: Person; usedUp: boolean }> {
    if (app.audience === 'users' && (settings.loginActions.addUsergroupIds.length || settings.loginActions.groupMappings.length || profile.usergroupNames?.length)) {
      return { usedUp: false };
    }
    const touched = await this.#people.touchIdentity(app.id, profile.subject, { email: email ?? null, issuer: profile.issuer }, singleUse?.statement);
    if (!touched.firstUse) throw singleUse!.refusal();
    const person = touched.person;
    if (!person || person.audience !== app.audience) return { usedUp: true };
    if (settings.syncProfile) {
      const name = profile.name?.trim();
      const nameChanged = Boolean(name && name.length <= 200 && name !== person.name);
      const emailNew = Boolean(email && !person.emails.some((e) => e.email.toLowerCase() === email.toLowerCase()));
      if (nameChanged || emailNew) return { usedUp: true };
    }
    return { person, usedUp: true };
  }

  /**
   * Profile sync: the name follows the service; the email only under the rule below, because
   * the primary email is where password resets and sign-in codes go, and whether it is proven
   * decides linking (invariant 5). A service's new address becomes the primary email only
   * when the service asserted it verified, the app trusts that (`trustEmail`), nobody else
   * here has it, and the person is not an admin; it is then proven (`verified_at`). Otherwise
   * the primary email stays as it is (the identity keeps the address the service sent) and
   * the skip is audited: an unverified address must not become the reset address, and an
   * admin's primary email (their break-glass mailbox) changes only by an admin's hand.
   */
  async #syncProfile(q: Queryable, personId: string, app: AuthApp, profile: ExternalProfile, email: string | undefined, settings: ExternalSettings) {
    const name = profile.name?.trim();
    if (name && name.length <= 200) await q.query('UPDATE people SET name = $2, updated_at = now() WHERE id = $1 AND name <> $2', [personId, name]);
    if (!email) return;
    const [row] = await q.query<{ is_admin: boolean; primary_email: string; primary_proven: boolean; owners: string[] | null }>(
      `SELECT p.is_admin, e.email AS primary_email, e.verified_at IS NOT NULL AS primary_proven,
              (SELECT array_agg(DISTINCT o.person_id::text) FROM person_emails o WHERE o.audience = $2 AND lower(o.email) = lower($3)) AS owners
         FROM people p JOIN person_emails e ON e.person_id = p.id AND e.is_primary WHERE p.id = $1 FOR UPDATE OF e`,
      [personId, app.audience, email],
    );
    if (!row) return;
    const owners = row.owners ?? [];
    if (owners.includes(personId)) return; // one of the person's addresses already
    const reason = owners.length > 0 ? 'taken'
      : !profile.emailVerified ? 'email_unverified'
      : !settings.trustEmail ? 'trust_email'
      : row.is_admin ? 'admin'
      : undefined;
    const audit = (entry: Pick<AuditEntry, 'action' | 'outcome' | 'reason' | 'details'>) => {
      const statement = auditStatement({ ...entry, audience: app.audience, actor: { type: 'system' }, target: { type: 'person', id: personId } });
      return q.query(statement.text, statement.params);
    };
    if (reason) {
      await audit({ action: 'profile.email_sync_skipped', outcome: 'failure', reason, details: { app: app.slug, email, kept: row.primary_email, keptProven: row.primary_proven } });
      return;
    }
    await q.query('UPDATE person_emails SET email = $2, verified_at = now() WHERE person_id = $1 AND is_primary', [personId, email]);
    await audit({ action: 'profile.email_synced', outcome: 'success', details: { app: app.slug, from: row.primary_email, to: email } });
  }
}

/** The usergroups a sign-in's login actions name: the app's own, the mapped groups, and (JWT mapGroups) names. */
function loginActionTargets(app: AuthApp, profile: ExternalProfile, settings: ExternalSettings): { ids: string[]; names: string[] } {
  if (app.audience !== 'users') return { ids: [], names: [] };
  const groups = new Set(profile.groups);
  const ids = [
    ...settings.loginActions.addUsergroupIds,
    ...settings.loginActions.groupMappings.filter((m) => groups.has(m.group)).map((m) => m.usergroupId),
  ];
  return { ids: [...new Set(ids)], names: [...new Set(profile.usergroupNames ?? [])] };
}

// Only custom groups that still exist; a deleted group in an old config is skipped, not an error.
const customById = (param: string) => `SELECT id, name FROM usergroups WHERE id = ${param} AND system IS NULL`;
// JWT apps may name usergroups directly (mapGroups): existing custom groups only.
const customByName = (param: string) => `SELECT id, name FROM usergroups WHERE lower(name) = lower(${param}) AND system IS NULL`;

/** Usergroups a sign-in adds (never removes), in the sign-in's transaction. */
async function applyLoginActions(q: Queryable, personId: string, app: AuthApp, profile: ExternalProfile, settings: ExternalSettings) {
  const { ids, names } = loginActionTargets(app, profile, settings);
  for (const [select, value] of [...ids.map((id) => [customById, id] as const), ...names.map((name) => [customByName, name] as const)]) {
    await q.query(`INSERT INTO person_usergroups (person_id, usergroup_id) SELECT $1, id FROM (${select('$2')}) AS g ON CONFLICT DO NOTHING`, [personId, value]);
  }
}

/** The usergroups applyLoginActions would add, by name (read only). */
async function usergroupsToAdd(q: Queryable, app: AuthApp, profile: ExternalProfile, settings: ExternalSettings): Promise<string[]> {
  const { ids, names } = loginActionTargets(app, profile, settings);
  const found = new Map<string, string>();
  for (const [select, value] of [...ids.map((id) => [customById, id] as const), ...names.map((name) => [customByName, name] as const)]) {
    for (const row of await q.query<{ id: string; name: string }>(select('$1'), [value])) found.set(row.id, row.name);
  }
  return [...found.values()];
}

/**
 * The one decision of account resolution (resolve() takes it under its locks, preview() as is):
 * a known identity signs its person in; else a proven owner of the email is linked (only with
 * a verified email the app trusts); else a new account when registration is open; else a
 * refusal, thrown. It writes nothing.
 */
async function decideAccount(
  q: Queryable, app: AuthApp, profile: ExternalProfile, email: string | undefined, settings: ExternalSettings, registrationOpen: boolean,
): Promise<AccountDecision> {
  const known = await q.query<{ person_id: string }>('SELECT person_id FROM identities WHERE app_id = $1 AND subject = $2', [app.id, profile.subject]);
  if (known[0]) {
    await refuseDisabled(q, known[0].person_id);
    return { outcome: 'signed_in', personId: known[0].person_id };
  }
  if (email) {
    const matches = await q.query<{ person_id: string; email: string }>(
      'SELECT person_id, email FROM person_emails WHERE audience = $1 AND lower(email) = lower($2)',
      [app.audience, email],
    );
    refuseCaseCollision(matches, email);
    const owners = [...new Set(matches.map((m) => m.person_id))];
    if (owners.length > 1) {
      throw new FrontdoorError('sso.email_ambiguous', 'More than one account has this email. Ask the helpdesk to sort it out.');
    }
    const owner = owners[0];
    if (owner) {
      if (!(profile.emailVerified && settings.trustEmail)) {
        throw new FrontdoorError(
          'sso.email_unverified',
          settings.trustEmail
            ? 'This email belongs to an existing account. Sign in to it the way you usually do first; the identity service did not confirm that the email is yours.'
            : 'This email belongs to an existing account, and this sign-in method does not join existing accounts by email. Sign in the way you usually do, or ask the helpdesk.',
          { check: settings.trustEmail ? 'email_verified' : 'trust_email' },
        );
      }
      await refuseDisabled(q, owner);
      await refuseUnprovenOwner(q, owner, app.audience, email);
      return { outcome: 'linked', personId: owner };
    }
  }
  if (!registrationOpen) {
    throw app.audience === 'users'
      ? new FrontdoorError('registration.closed', 'Registration is closed, and there is no account for you here yet. Ask the helpdesk for one.')
      : new FrontdoorError('sso.unknown_agent', 'There is no agent account for you. An admin must create it first.');
  }
  if (!email) throw new FrontdoorError('sso.email_missing', 'The identity service did not share an email address we can use (none, or one written in a form this helpdesk does not accept), which an account needs.');
  return { outcome: 'created', email };
}

/**
 * Pre-account hijacking (Sudhodanan and Paverd, "Pre-hijacked accounts", USENIX Security 2022;
 * DESIGN invariant 5): a stranger may register the victim's email first (a password account
 * with validation off, or an external app that did not verify it) and wait for the victim's
 * first sign-in through an app that does. Linking then would hand the victim's sign-ins to an
 * account the stranger still opens. So an account is joined by email only when its own email
 * was proven by its holder: `verified_at` is set by a used validation or reset link, a verified
 * external sign-in that created or moved it, or an admin who vouched for it (`emailVerified`).
 * Otherwise, like Ory Kratos, refuse and send the person to prove the existing account first.
 */
async function refuseUnprovenOwner(q: Queryable, personId: string, audience: string, email: string) {
  const rows = await q.query<{ proven: boolean }>(
    'SELECT verified_at IS NOT NULL AS proven FROM person_emails WHERE person_id = $1 AND audience = $2 AND lower(email) = lower($3)',
    [personId, audience, email],
  );
  if (!rows[0]?.proven) {
    throw new FrontdoorError(
      'sso.account_link_unproven',
      'An account with this email already exists here, but its email address was never confirmed, so we will not join your sign-in to it. ' +
        'If the account is yours, prove it first: sign in to it with its password and link this sign-in method from your account page, ' +
        'or reset its password (the link goes to this address, confirms it and ends every other way into the account), then sign in here again. ' +
        'Where there is no password form, ask the helpdesk.',
      { check: 'account_link_unproven', audience },
    );
  }
}

/**
 * Unicode case-mapping collisions ("dotless i": GitHub's 2019 password-reset takeover; John
 * Gracey, "Hacking GitHub with Unicode's dotless 'i'"): lower() folds some letters outside ASCII
 * into ASCII ones, 'İ' (U+0130) to 'i' and the Kelvin sign (U+212A) to 'k', and, under the
 * database's collation, 'É' to 'é'. Whoever owns the look-alike domain vİctİm.com (an IDN, a
 * domain of its own) could have an identity service verify bob@vİctİm.com, which lower() makes
 * bob@victim.com, and be joined to Bob's account. An address joins an account only when it is
 * that account's address up to ASCII letter case; any other lower()-match is refused (no new
 * account either: person_emails_unique holds the lower() form).
 */
function refuseCaseCollision(matches: { email: string }[], email: string): void {
  const asciiLower = (value: string) => value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  if (matches.some((m) => asciiLower(m.email) !== asciiLower(email))) {
    throw new FrontdoorError(
      'sso.email_case_collision',
      'An account here has an email address that differs from yours only in how letters beyond A to Z are written, so we will not join your sign-in to it. Ask the helpdesk.',
      { check: 'email_case_collision' },
    );
  }
}

/** A disabled person is refused before their identity is linked or touched: a refusal writes nothing. */
async function refuseDisabled(q: Queryable, personId: string) {
  const rows = await q.query<{ disabled: boolean }>('SELECT disabled_at IS NOT NULL AS disabled FROM people WHERE id = $1', [personId]);
  if (rows[0]?.disabled) throw new FrontdoorError('auth.account_disabled', 'This account is disabled.');
}

function normaliseEmail(raw: string): string | undefined {
  const parsed = EmailSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

function checkFilter(settings: ExternalSettings, profile: ExternalProfile, email: string | undefined): void {
  const { emailDomains, requiredGroup, requiredClaim } = settings.filter;
  if (emailDomains.length > 0) {
    const domain = email?.split('@')[1]?.toLowerCase();
    if (!domain || !emailDomains.includes(domain)) {
      throw new FrontdoorError('sso.filter_refused', 'Your account is not allowed by this sign-in method: its email domain is not on the list.');
    }
  }
  if (requiredGroup && !profile.groups.includes(requiredGroup)) {
    throw new FrontdoorError('sso.filter_refused', 'Your account is not allowed by this sign-in method: it is not in the required group.');
  }
  if (requiredClaim) {
    const value = profile.claims[requiredClaim.name];
    const values = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
    if (!values.includes(requiredClaim.value)) {
      throw new FrontdoorError('sso.filter_refused', 'Your account is not allowed by this sign-in method.');
    }
  }
}

async function insertIdentity(q: Queryable, app: AuthApp, profile: ExternalProfile, personId: string, email: string | undefined) {
  await q.query(
    'INSERT INTO identities (app_id, audience, subject, person_id, email, issuer, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, now())',
    [app.id, app.audience, profile.subject, personId, email ?? null, profile.issuer],
  );
}
