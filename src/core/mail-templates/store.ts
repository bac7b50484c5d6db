import type { Database } from '../../storage/database.ts';
import type { Actor, AuditLog } from '../audit.ts';
import { BriefCache, deepFreeze } from '../brief-cache.ts';
import { DEFAULT_LANGUAGE, type Language } from '../languages.ts';
import { defaultTemplate } from './defaults/index.ts';
import { helpdeskName } from './helpdesk-name.ts';
import type { MailKind, MailTemplate, MailVariables } from './kinds.ts';
import { oneLineValues, renderTemplate, type RenderedMail } from './render.ts';
import { checkTemplate } from './template-check.ts';

export type CustomTemplate = MailTemplate & { kind: MailKind; language: Language; updatedAt: string; updatedBy: string | null };
/** The template an email of (kind, language) is sent with, and where it came from. */
export type EffectiveTemplate = { template: MailTemplate; source: 'custom' | 'default'; language: Language };

type Row = { kind: MailKind; language: Language; subject: string; body: string; updated_at: Date; updated_by: string | null };

const keyOf = (kind: MailKind, language: Language) => `${kind}:${language}`;

/**
 * The customised templates (migration 0013) and the rule every email is sent by: the custom
 * template of (kind, language), else that language's default, else English. Every email reads
 * them, so they are kept for under a second (brief-cache.ts): a save shows at once on this
 * node and within a second on every other.
 */
export class MailTemplates {
  readonly #db: Database;
  readonly #audit: AuditLog;
  readonly #brandName: () => Promise<string | null>;
  readonly #cache = new BriefCache<'all', ReadonlyMap<string, CustomTemplate>>();

  constructor(deps: { db: Database; audit: AuditLog; brandName?: () => Promise<string | null> }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#brandName = deps.brandName ?? (async () => null);
  }

  /** Every customised template, by `kind:language`. */
  customised(): Promise<ReadonlyMap<string, CustomTemplate>> {
    return this.#cache.get('all', async () => {
      const rows = await this.#db.query<Row>('SELECT kind, language, subject, body, updated_at, updated_by FROM mail_templates');
      return deepFreeze(new Map(rows.map((r) => [keyOf(r.kind, r.language), {
        kind: r.kind, language: r.language, subject: r.subject, body: r.body, updatedAt: new Date(r.updated_at).toISOString(), updatedBy: r.updated_by,
      }])));
    });
  }

  async effective(kind: MailKind, language: Language): Promise<EffectiveTemplate> {
    const custom = (await this.customised()).get(keyOf(kind, language));
    if (custom) return { template: { subject: custom.subject, body: custom.body }, source: 'custom', language };
    const own = defaultTemplate(kind, language) as MailTemplate | undefined;
    if (own) return { template: own, source: 'default', language };
    return { template: defaultTemplate(kind, DEFAULT_LANGUAGE), source: 'default', language: DEFAULT_LANGUAGE };
  }

  /**
   * The email of `kind` for a person of `language`. A custom template that cannot be filled in
   * (it passed Save, so only a value of an unexpected shape could do that) falls back to the
   * default: the person still gets the link.
   */
  async compose<K extends MailKind>(kind: K, language: Language, variables: MailVariables<K>): Promise<RenderedMail> {
    const chosen = await this.effective(kind, language);
    const values = oneLineValues(kind, { helpdeskName: helpdeskName(chosen.language, await this.#brandName()), ...(variables as Record<string, string | number>) });
    try {
      return renderTemplate(chosen.template, chosen.language, values);
    } catch (error) {
      if (chosen.source === 'default') throw error;
      return renderTemplate(defaultTemplate(kind, language), language, values);
    }
  }

  /** Stores a template after Save's checks (template-check.ts), audited in the same transaction; a refusal stores nothing. */
  async save(kind: MailKind, language: Language, input: MailTemplate, actor: Actor, ip?: string): Promise<void> {
    // A textarea sends CRLF line ends; the body is kept with \n, as the defaults are.
    const template = { subject: input.subject.trim(), body: input.body.replace(/\r\n?/g, '\n') };
    checkTemplate(kind, template);
    await this.#db.transaction(async (q) => {
      await q.query(
        `INSERT INTO mail_templates (kind, language, subject, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, now(), $5)
         ON CONFLICT (kind, language) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [kind, language, template.subject, template.body, actor.type === 'person' ? actor.id : null],
      );
      await this.#audit.record({ action: 'mail_template.updated', outcome: 'success', actor, ip, target: { type: 'mail_template', id: keyOf(kind, language) }, details: { kind, language } }, q);
    });
    this.#cache.forgetAll();
  }

  /** Back to the default: the custom template is removed, audited; nothing to reset is a no-op (not audited). */
  async reset(kind: MailKind, language: Language, actor: Actor, ip?: string): Promise<void> {
    await this.#db.transaction(async (q) => {
      const removed = await q.query('DELETE FROM mail_templates WHERE kind = $1 AND language = $2 RETURNING kind', [kind, language]);
      if (!removed.length) return;
      await this.#audit.record({ action: 'mail_template.reset', outcome: 'success', actor, ip, target: { type: 'mail_template', id: keyOf(kind, language) }, details: { kind, language } }, q);
    });
    this.#cache.forgetAll();
  }
}
