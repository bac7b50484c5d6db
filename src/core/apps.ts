import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Database, Queryable } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import { BriefCache, deepFreeze } from './brief-cache.ts';
import { splitSecrets, type AppCatalog, type AppType } from './app-config.ts';
import type { Actor, AuditLog } from './audit.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import { checkAgainst, fieldProblemOf, type FieldProblem } from './field-problems.ts';
import type { SecretBox } from './secrets.ts';

export type SsoMode = 'disabled' | 'automatic';

export type AuthApp = {
  id: string;
  slug: string;
  audience: Audience;
  type: AppType;
  name: string;
  enabled: boolean;
  sso: SsoMode;
  showButton: boolean;
  displayOrder: number;
  /** The config without its secrets. */
  config: Record<string, unknown>;
  /** Names of the secrets that are set (their values are never returned). */
  secretsSet: string[];
  lastTestSucceededAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type NewApp = {
  audience: Audience;
  type: AppType;
  name?: string | undefined;
  slug?: string | undefined;
  enabled?: boolean | undefined;
  sso?: SsoMode | undefined;
  showButton?: boolean | undefined;
  displayOrder?: number | undefined;
  config?: Record<string, unknown> | undefined;
};

export type AppChanges = {
  name?: string | undefined;
  enabled?: boolean | undefined;
  sso?: SsoMode | undefined;
  showButton?: boolean | undefined;
  displayOrder?: number | undefined;
  /** Merged over the stored config; a secret left out keeps its stored value. */
  config?: Record<string, unknown> | undefined;
};

export const SlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63');

// Every column but the encrypted secrets: those are read only by secretsOf().
const APP_COLUMNS = `id, slug, audience, type, name, enabled, sso, show_button, display_order, config, secret_names,
  last_test_succeeded_at, created_at, updated_at`;

type AppRow = {
  id: string; slug: string; audience: Audience; type: AppType; name: string; enabled: boolean; sso: SsoMode; show_button: boolean;
  display_order: number; config: Record<string, unknown>; secret_names: string[]; last_test_succeeded_at: Date | null;
  created_at: Date; updated_at: Date;
};

/**
 * What an Agents app does unless an admin turns it on knowingly: a sign-in does not link to an
 * existing agent (maybe an admin) by email alone. Agents are created by admins; for the first
 * sign-in of an existing agent through the app to link, the admin turns trustEmail on (the
 * install form says what it does). trustProviderMfa is off for both audiences (app-config.ts).
 */
export const AGENT_APP_DEFAULTS = { trustEmail: false } as const;

export class AuthAppRegistry {
  readonly #catalog: AppCatalog;
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #audit: AuditLog;
  // Every sign-in reads its app (and the secrets) first: kept for under a second, forgotten
  // at once when this node changes an app (other nodes see the change within 1 s).
  readonly #found = new BriefCache<string, AuthApp | undefined>();
  readonly #secrets = new BriefCache<string, Readonly<Record<string, unknown>>>();

  constructor(db: Database, box: SecretBox, audit: AuditLog, catalog: AppCatalog) {
    this.#catalog = catalog;
    this.#db = db;
    this.#box = box;
    this.#audit = audit;
  }

  /** Where people who sign in only with this app change a forgotten password (its protocol says). */
  lostPasswordUrlOf(app: AuthApp): string | undefined {
    return this.#catalog.lostPasswordUrlOf(app);
  }

  async list(audience?: Audience): Promise<AuthApp[]> {
    const rows = await this.#db.query<AppRow>(
      `SELECT ${APP_COLUMNS} FROM auth_apps ${audience ? 'WHERE audience = $1' : ''} ORDER BY audience, display_order, created_at`,
      audience ? [audience] : [],
    );
    return rows.map((row) => this.#toApp(row));
  }

  /**
   * Looks an app up by id or slug. Outside a transaction the answer may be up to a second
   * old (see BriefCache); the returned object is frozen, as it is shared.
   */
  async find(idOrSlug: string, q: Queryable = this.#db): Promise<AuthApp | undefined> {
    if (q !== this.#db) return this.#read(idOrSlug, q);
    // "Not found" is not kept: an app created on another node is usable here at once.
    return this.#found.get(`app:${idOrSlug}`, () => this.#read(idOrSlug, q), (app) => app !== undefined);
  }

  async #read(idOrSlug: string, q: Queryable): Promise<AuthApp | undefined> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug);
    const rows = await q.query<AppRow>(`SELECT ${APP_COLUMNS} FROM auth_apps WHERE ${isUuid ? 'id = $1' : 'slug = $1'}`, [idOrSlug]);
    return rows[0] && this.#toApp(rows[0]);
  }

  async require(idOrSlug: string): Promise<AuthApp> {
    const app = await this.find(idOrSlug);
    if (!app) throw new FrontdoorError('app.not_found', 'No such auth app.');
    return app;
  }

  async automaticApp(audience: Audience): Promise<AuthApp | undefined> {
    return this.#found.get(`automatic:${audience}`, () => this.#readAutomatic(audience));
  }

  async #readAutomatic(audience: Audience): Promise<AuthApp | undefined> {
    const rows = await this.#db.query<AppRow>(`SELECT ${APP_COLUMNS} FROM auth_apps WHERE audience = $1 AND sso = 'automatic'`, [audience]);
    return rows[0] && this.#toApp(rows[0]);
  }

  async passwordApp(audience: Audience): Promise<AuthApp> {
    return (await this.#found.get(`password:${audience}`, () => this.#readPasswordApp(audience)))!;
  }

  async #readPasswordApp(audience: Audience): Promise<AuthApp> {
    const rows = await this.#db.query<AppRow>(`SELECT ${APP_COLUMNS} FROM auth_apps WHERE audience = $1 AND type = 'password'`, [audience]);
    return this.#toApp(rows[0]!);
  }

  /**
   * The decrypted secret part of an app's config, for the protocol code: decrypted once and
   * shared (frozen) for under a second, like the app itself.
   */
  async secretsOf(appId: string): Promise<Readonly<Record<string, unknown>>> {
    return this.#secrets.get(appId, async () => {
      const rows = await this.#db.query<{ secrets: Uint8Array | null }>('SELECT secrets FROM auth_apps WHERE id = $1', [appId]);
      const sealed = rows[0]?.secrets;
      return Object.freeze(sealed ? (JSON.parse(this.#box.open(sealed)) as Record<string, unknown>) : {});
    });
  }

  /** Forgets every cached app and secret: called after each change this node makes. */
  #changed(): void {
    this.#found.forgetAll();
    this.#secrets.forgetAll();
  }

  async create(input: NewApp, actor: Actor): Promise<AuthApp> {
    if (input.type === 'password') {
      throw new FrontdoorError('app.password_unique', 'The password app is built in; each audience has exactly one.');
    }
    let given = input.config ?? {};
    // Safe defaults per audience (issue 14): what the admin did not set is the cautious value.
    if (input.audience === 'agents') given = { ...AGENT_APP_DEFAULTS, ...given };
    if (!this.#catalog.types.includes(input.type)) {
      throw new FrontdoorError('app.config_invalid', `There is no ${input.type} sign-in method.`, { fields: [{ field: 'type', problem: 'unknown type' }] });
    }
    given = await this.#catalog.prepareNew(input.type, given, input.slug ?? input.audience);
    const config = this.#validateConfig(input.type, given);
    const { publicPart, secretPart } = splitSecrets(this.#catalog.secretKeysOf(input.type), config);
    const id = await this.#db.transaction(async (q) => {
      await lockAudience(q, input.audience);
      const slug = input.slug ?? (await this.#freeSlug(q, `${input.type}-${input.audience}`));
      const wantsAutomatic = input.sso === 'automatic';
      if (wantsAutomatic && input.enabled === false) {
        throw new FrontdoorError('app.cannot_be_automatic', 'A disabled app cannot be Automatic.');
      }
      const demoted = wantsAutomatic ? await this.#demoteAutomatic(q, input.audience) : undefined;
      let row: AppRow;
      try {
        [row] = (await q.query<AppRow>(
          `INSERT INTO auth_apps (slug, audience, type, name, enabled, sso, show_button, display_order, config, secrets, secret_names)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${APP_COLUMNS}`,
          [
            slug,
            input.audience,
            input.type,
            input.name ?? this.#catalog.defaultNameOf(input.type),
            input.enabled ?? true,
            input.sso ?? 'disabled',
            input.showButton ?? false,
            input.displayOrder ?? 0,
            JSON.stringify(publicPart),
            Object.keys(secretPart).length ? this.#box.seal(JSON.stringify(secretPart)) : null,
            Object.keys(secretPart),
          ],
        )) as [AppRow];
      } catch (error) {
        if (isUniqueViolation(error, 'auth_apps_slug_key')) throw new FrontdoorError('app.slug_taken', `The slug ${slug} is taken.`);
        throw error;
      }
      await this.#audit.record(
        { action: 'app.created', outcome: 'success', audience: input.audience, actor, target: { type: 'app', id: row.id }, details: { type: input.type, slug, sso: row.sso } },
        q,
      );
      if (demoted) await this.#recordDemotion(q, demoted, row.id, actor);
      return row.id;
    });
    this.#changed();
    return (await this.find(id))!;
  }

  /** A free slug for a new app of this type, as create picks one: what the install form starts with. */
  async suggestSlug(type: AppType, audience: Audience): Promise<string> {
    return this.#freeSlug(this.#db, `${type}-${audience}`);
  }

  /**
   * What create (no `current`) or update would refuse in this config, checked by the same
   * schema and nothing written: the console's validation as you type (POST /admin/apps/validate).
   * A new app is checked without the SAML key pair create would generate (it is not the admin's).
   */
  async configProblems(type: AppType, audience: Audience, config: Record<string, unknown>, current?: AuthApp): Promise<FieldProblem[]> {
    let given: Record<string, unknown>;
    if (current) given = { ...current.config, ...(await this.secretsOf(current.id)), ...config };
    else given = audience === 'agents' ? { ...AGENT_APP_DEFAULTS, ...config } : config;
    if (!this.#catalog.types.includes(type) || type === 'password') return [{ field: 'type', problem: 'unknown type' }];
    try {
      this.#validateConfig(type, given);
      return [];
    } catch (error) {
      if (isFrontdoorError(error) && Array.isArray(error.details?.fields)) return error.details.fields as FieldProblem[];
      throw error;
    }
  }

  async update(idOrSlug: string, changes: AppChanges, actor: Actor): Promise<AuthApp> {
    const current = await this.require(idOrSlug);
    let publicPart: Record<string, unknown> | undefined;
    let secretPart: Record<string, unknown> | undefined;
    if (changes.config) {
      const storedSecrets = await this.secretsOf(current.id);
      const merged = this.#validateConfig(current.type, { ...current.config, ...storedSecrets, ...changes.config });
      ({ publicPart, secretPart } = splitSecrets(this.#catalog.secretKeysOf(current.type), merged));
    }
    await this.#db.transaction(async (q) => {
      await lockAudience(q, current.audience);
      const [row] = await q.query<AppRow>(`SELECT ${APP_COLUMNS} FROM auth_apps WHERE id = $1`, [current.id]);
      if (!row) throw new FrontdoorError('app.not_found', 'No such auth app.');
      const enabled = changes.enabled ?? row.enabled;
      // Disabling an Automatic app also takes it out of Automatic mode.
      let sso = changes.sso ?? (enabled ? row.sso : 'disabled');
      if (changes.sso === 'automatic') {
        if (row.type === 'password') {
          throw new FrontdoorError('app.cannot_be_automatic', 'The password app has a login form; it cannot be Automatic SSO.');
        }
        if (!enabled) throw new FrontdoorError('app.cannot_be_automatic', 'A disabled app cannot be Automatic; enable it first.');
      }
      if (!enabled) sso = 'disabled';
      const demoted = sso === 'automatic' && row.sso !== 'automatic' ? await this.#demoteAutomatic(q, row.audience) : undefined;
      await q.query(
        `UPDATE auth_apps SET name = $2, enabled = $3, sso = $4, show_button = $5, display_order = $6,
                config = COALESCE($7::jsonb, config), secrets = CASE WHEN $8::boolean THEN $9::bytea ELSE secrets END,
                secret_names = CASE WHEN $8::boolean THEN $10::text[] ELSE secret_names END,
                updated_at = now()
          WHERE id = $1`,
        [
          row.id,
          changes.name ?? row.name,
          enabled,
          sso,
          changes.showButton ?? row.show_button,
          changes.displayOrder ?? row.display_order,
          publicPart ? JSON.stringify(publicPart) : null,
          secretPart !== undefined,
          secretPart && Object.keys(secretPart).length ? this.#box.seal(JSON.stringify(secretPart)) : null,
          Object.keys(secretPart ?? {}),
        ],
      );
      if (row.audience === 'agents' && !enabled) await this.#refuseIfNoAgentSignIn(q);
      await this.#audit.record(
        {
          action: 'app.updated', outcome: 'success', audience: row.audience, actor, target: { type: 'app', id: row.id },
          details: { changed: Object.keys(changes), enabled, sso, previousSso: row.sso },
        },
        q,
      );
      if (sso !== row.sso) {
        await this.#audit.record(
          { action: 'app.sso_changed', outcome: 'success', audience: row.audience, actor, target: { type: 'app', id: row.id }, details: { from: row.sso, to: sso } },
          q,
        );
      }
      if (demoted) await this.#recordDemotion(q, demoted, row.id, actor);
    });
    this.#changed();
    return (await this.find(current.id))!;
  }

  async remove(idOrSlug: string, actor: Actor): Promise<void> {
    const app = await this.require(idOrSlug);
    if (app.type === 'password') {
      throw new FrontdoorError('app.password_not_removable', 'The built-in password app cannot be removed; disable it instead.');
    }
    await this.#db.transaction(async (q) => {
      await lockAudience(q, app.audience);
      await q.query('DELETE FROM auth_apps WHERE id = $1', [app.id]);
      if (app.audience === 'agents') await this.#refuseIfNoAgentSignIn(q);
      await this.#audit.record(
        { action: 'app.removed', outcome: 'success', audience: app.audience, actor, target: { type: 'app', id: app.id }, details: { type: app.type, slug: app.slug } },
        q,
      );
    });
    this.#changed();
  }

  async markTestSucceeded(appId: string): Promise<void> {
    await this.#db.query('UPDATE auth_apps SET last_test_succeeded_at = now() WHERE id = $1', [appId]);
    this.#changed();
  }

  #validateConfig(type: AppType, config: Record<string, unknown>): Record<string, unknown> {
    const result = checkAgainst(this.#catalog.schemaFor(type, config), config);
    if (result.success) return result.data as Record<string, unknown>;
    const fields = result.error.issues.map((issue) => fieldProblemOf(issue, `config.${issue.path.join('.')}`.replace(/\.$/, '')));
    throw new FrontdoorError(
      'app.config_invalid',
      `The ${type} app's configuration is not valid: ${fields.map((f) => `${f.field}: ${f.problem}`).join('; ')}.`,
      { fields },
    );
  }

  // Invariant 1: the caller holds the audience lock, so demote-then-promote is atomic and
  // concurrent switches serialise; the partial unique index is the last line of defence.
  async #demoteAutomatic(q: Queryable, audience: Audience): Promise<string | undefined> {
    const rows = await q.query<{ id: string }>(
      "UPDATE auth_apps SET sso = 'disabled', updated_at = now() WHERE audience = $1 AND sso = 'automatic' RETURNING id",
      [audience],
    );
    return rows[0]?.id;
  }

  async #recordDemotion(q: Queryable, demotedId: string, promotedId: string, actor: Actor): Promise<void> {
    const [row] = await q.query<{ audience: Audience }>('SELECT audience FROM auth_apps WHERE id = $1', [demotedId]);
    await this.#audit.record(
      {
        action: 'app.sso_changed', outcome: 'success', audience: row?.audience, actor, target: { type: 'app', id: demotedId },
        details: { from: 'automatic', to: 'disabled', because: `app ${promotedId} became automatic` },
      },
      q,
    );
  }

  // Admins can always get in (invariant 6): the Agents audience keeps at least one enabled app.
  async #refuseIfNoAgentSignIn(q: Queryable): Promise<void> {
    const [row] = await q.query<{ n: number }>("SELECT count(*)::int AS n FROM auth_apps WHERE audience = 'agents' AND enabled");
    if (row!.n === 0) {
      throw new FrontdoorError('app.last_admin_sign_in', 'This is the last enabled sign-in method for Agents; admins would be locked out.');
    }
  }

  async #freeSlug(q: Queryable, base: string): Promise<string> {
    const taken = await q.query('SELECT 1 FROM auth_apps WHERE slug = $1', [base]);
    return taken.length ? `${base}-${randomBytes(3).toString('hex')}` : base;
  }

  #toApp(row: AppRow): AuthApp {
    return deepFreeze({
      id: row.id,
      slug: row.slug,
      audience: row.audience,
      type: row.type,
      name: row.name,
      enabled: row.enabled,
      sso: row.sso,
      showButton: row.show_button,
      displayOrder: row.display_order,
      config: row.config,
      secretsSet: row.secret_names,
      lastTestSucceededAt: row.last_test_succeeded_at ? new Date(row.last_test_succeeded_at).toISOString() : null,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    });
  }
}

/** Serialises audience-wide changes (SSO mode, last sign-in method) across all nodes. */
export async function lockAudience(q: Queryable, audience: Audience): Promise<void> {
  await q.query('SELECT 1 FROM audience_settings WHERE audience = $1 FOR UPDATE', [audience]);
}
