import { z } from 'zod';
import type { Database } from '../storage/database.ts';
import type { Actor, AuditLog } from './audit.ts';
import { BriefCache, deepFreeze } from './brief-cache.ts';
import { FrontdoorError } from './errors.ts';
import { LANGUAGES, type Language } from './languages.ts';
import { parseInput } from './validation.ts';

/** Which languages the Help Center offers (its language menu, Accept-Language matching) and the one it falls back to. */
export type LanguageSettingsValue = { offered: readonly Language[]; defaultLanguage: Language };

export const LanguageSettingsChangesSchema = z
  .object({
    offered: z.array(z.enum(LANGUAGES)).min(1, 'offer at least one language').optional(),
    defaultLanguage: z.enum(LANGUAGES).optional(),
  })
  .strict();
export type LanguageSettingsChanges = z.infer<typeof LanguageSettingsChangesSchema>;

type Row = { offered: Language[]; default_language: Language };

/**
 * The helpdesk's languages (issue 18 part 7), one row of migration 0016. Read by every page
 * (the resolver matches each request against it): kept for under a second, forgotten at once
 * on the node that changes it (brief-cache.ts).
 */
export class LanguageSettings {
  readonly #db: Database;
  readonly #audit: AuditLog;
  readonly #cache = new BriefCache<'languages', LanguageSettingsValue>();

  constructor(db: Database, audit: AuditLog) {
    this.#db = db;
    this.#audit = audit;
  }

  settings(): Promise<LanguageSettingsValue> {
    return this.#cache.get('languages', async () => {
      const [row] = await this.#db.query<Row>('SELECT offered, default_language FROM language_settings');
      return deepFreeze(row ? toValue(row) : { offered: [...LANGUAGES], defaultLanguage: 'en' as const });
    });
  }

  /**
   * Any subset, in one transaction with the row locked, audited with what changed. Refused,
   * storing nothing, when nothing would be offered (`request.invalid`, naming `offered`) or the
   * default would not be offered (`languages.default_not_offered`): a visitor with no match
   * would get a language the Help Center says it does not have.
   */
  async update(input: LanguageSettingsChanges, actor: Actor): Promise<LanguageSettingsValue> {
    const changes = parseInput(LanguageSettingsChangesSchema, input);
    await this.#db.transaction(async (q) => {
      const [row] = await q.query<Row>('SELECT offered, default_language FROM language_settings FOR UPDATE');
      const stored = row ? toValue(row) : { offered: [...LANGUAGES], defaultLanguage: 'en' as Language };
      // Kept in the order of LANGUAGES, whatever order the form or API sent.
      const offered = changes.offered ? LANGUAGES.filter((l) => changes.offered!.includes(l)) : [...stored.offered];
      const defaultLanguage = changes.defaultLanguage ?? stored.defaultLanguage;
      if (!offered.includes(defaultLanguage)) {
        throw new FrontdoorError(
          'languages.default_not_offered',
          `The default language (${defaultLanguage}) must be one of the languages offered (${offered.join(', ')}).`,
          { fields: [{ field: 'defaultLanguage', problem: 'not one of the languages offered' }], defaultLanguage, offered },
        );
      }
      await q.query(
        `INSERT INTO language_settings (id, offered, default_language, updated_at) VALUES (true, $1::text[], $2, now())
         ON CONFLICT (id) DO UPDATE SET offered = EXCLUDED.offered, default_language = EXCLUDED.default_language, updated_at = now()`,
        [offered, defaultLanguage],
      );
      await this.#audit.record({ action: 'settings.languages_changed', outcome: 'success', actor, details: { offered, defaultLanguage } }, q);
    });
    this.#cache.forgetAll();
    return this.settings();
  }
}

function toValue(row: Row): LanguageSettingsValue {
  const offered = LANGUAGES.filter((l) => row.offered.includes(l));
  return { offered, defaultLanguage: row.default_language };
}
