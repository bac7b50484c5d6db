import { z } from 'zod';
import type { Database } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import type { Actor, AuditLog } from './audit.ts';
import { BriefCache, deepFreeze } from './brief-cache.ts';
import { parseInput } from './validation.ts';
import { checkPrimaryColor } from './brand-contrast.ts';
import { inspectLogo, type LogoContentType } from './brand-logo.ts';

// The helpdesk's brand (issue 18 part 6): name, sign-in page text, primary colour, logo. Read
// by every page, so kept in memory: each node asks the database only for the row's version
// (at most once per BRIEF_CACHE_TTL_MS), and reads the row itself only when that version is
// not the one it holds. A change on this node is seen here at once; on other nodes within 1 s.

export const BRAND_BOUNDS = { name: 80, signInText: 500 } as const;

export type BrandLogo = { bytes: Buffer; contentType: LogoContentType; width: number; height: number };

export type Brand = {
  /** The helpdesk's name; null: the pages' own names ("Help Center", "Agent console"). */
  name: string | null;
  /** Plain text shown on the sign-in pages (never HTML: it is escaped like any other text). */
  signInText: string | null;
  /** The primary colour, #rrggbb; null: the stylesheet's own. */
  color: string | null;
  logo: BrandLogo | null;
  /** Bumped by every change: the logo and stylesheet URLs carry it. */
  version: number;
};

export const DEFAULT_BRAND: Brand = deepFreeze({ name: null, signInText: null, color: null, logo: null, version: 0 });

/** The name to show people of an audience (pages, emails): the helpdesk's, else today's defaults. */
export function brandNameFor(brand: Brand, audience: Audience): string {
  return brand.name ?? (audience === 'users' ? 'Help Center' : 'Agent console');
}

const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;
const NO_CONTROL_CHARS_BUT_LINES = /^[^\u0000-\u0009\u000b-\u001f\u007f]*$/;
const blankIsNull = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? null : value);

const BrandTextSchema = z.object({
  name: z.preprocess(blankIsNull, z.string().trim().max(BRAND_BOUNDS.name, `at most ${BRAND_BOUNDS.name} characters`).regex(NO_CONTROL_CHARS, 'has control characters').nullable()).optional(),
  signInText: z.preprocess(
    (v) => (typeof v === 'string' ? blankIsNull(v.replace(/\r\n?/g, '\n')) : v),
    z.string().trim().max(BRAND_BOUNDS.signInText, `at most ${BRAND_BOUNDS.signInText} characters`).regex(NO_CONTROL_CHARS_BUT_LINES, 'has control characters').nullable(),
  ).optional(),
  color: z.preprocess(blankIsNull, z.string().nullable()).optional(),
});

/** What an admin may change; an absent key keeps the stored value, null puts the default back. */
export type BrandChanges = {
  name?: string | null | undefined;
  signInText?: string | null | undefined;
  color?: string | null | undefined;
  /** New logo bytes (checked by their content), or null to remove the logo. */
  logo?: Uint8Array | null | undefined;
};

type BrandRow = {
  helpdesk_name: string | null; sign_in_text: string | null; primary_color: string | null;
  logo: Uint8Array | null; logo_content_type: LogoContentType | null; version: number;
};

export class BrandSettings {
  readonly #db: Database;
  readonly #audit: AuditLog;
  readonly #versions = new BriefCache<'version', number>();
  #held: { version: number; brand: Promise<Brand> } | undefined;

  constructor(db: Database, audit: AuditLog) {
    this.#db = db;
    this.#audit = audit;
  }

  /** The brand every page is drawn with (frozen and shared: never change it). */
  async current(): Promise<Brand> {
    const version = await this.#versions.get('version', () => this.#readVersion());
    if (this.#held?.version !== version) {
      const brand = this.#readBrand();
      const held = { version, brand };
      this.#held = held;
      brand.catch(() => {
        if (this.#held === held) this.#held = undefined;
      });
    }
    return this.#held!.brand;
  }

  /**
   * The brand these changes would make, checked as a save would check them but not stored:
   * the console's preview. Refusals: `request.invalid` naming the field,
   * `brand.color_contrast_too_low`, `brand.logo_type_refused`, `brand.logo_invalid`, `brand.logo_too_large`.
   */
  async draft(input: BrandChanges): Promise<Brand> {
    return applyChanges(await this.current(), input);
  }

  /** Checks and stores the changes in one transaction with their audit event (`brand.updated`). */
  async update(input: BrandChanges, actor: Actor, ip?: string): Promise<Brand> {
    // Checked before the transaction: a refusal writes nothing.
    applyChanges(DEFAULT_BRAND, input);
    await this.#db.transaction(async (q) => {
      const [row] = await q.query<BrandRow>('SELECT helpdesk_name, sign_in_text, primary_color, logo, logo_content_type, version FROM brand FOR UPDATE');
      const before = brandOf(row!);
      const after = applyChanges(before, input);
      const textChanged = (['name', 'signInText', 'color'] as const).filter((k) => before[k] !== after[k]);
      const logoChanged = input.logo !== undefined && !(before.logo === null && after.logo === null);
      const changed: string[] = logoChanged ? [...textChanged, 'logo'] : [...textChanged];
      // Saving the form unchanged is not a change: no new version (caches stay), no audit event.
      if (!changed.length) return;
      await q.query(
        `UPDATE brand SET helpdesk_name = $1, sign_in_text = $2, primary_color = $3, logo = $4, logo_content_type = $5,
                version = version + 1, updated_at = now()`,
        [after.name, after.signInText, after.color, after.logo?.bytes ?? null, after.logo?.contentType ?? null],
      );
      await this.#audit.record({
        action: 'brand.updated', outcome: 'success', actor, ip,
        details: {
          changed,
          ...Object.fromEntries(textChanged.map((k) => [k, after[k]])),
          ...(logoChanged ? { logo: after.logo ? { contentType: after.logo.contentType, bytes: after.logo.bytes.length, width: after.logo.width, height: after.logo.height } : 'removed' } : {}),
        },
      }, q);
    });
    this.#versions.forgetAll();
    return this.current();
  }

  async #readVersion(): Promise<number> {
    const [row] = await this.#db.query<{ version: number }>('SELECT version FROM brand');
    return row?.version ?? 0;
  }

  async #readBrand(): Promise<Brand> {
    const [row] = await this.#db.query<BrandRow>('SELECT helpdesk_name, sign_in_text, primary_color, logo, logo_content_type, version FROM brand');
    return row ? brandOf(row) : DEFAULT_BRAND;
  }
}

function brandOf(row: BrandRow): Brand {
  const logo = row.logo && row.logo_content_type ? Buffer.from(row.logo) : null;
  // A stored logo passed inspectLogo on its way in; reading its size again costs microseconds.
  // Should a stored one ever fail a stricter check, pages are drawn without it, not without a brand.
  const image = logo ? inspected(logo) : null;
  return freezeBrand({
    name: row.helpdesk_name,
    signInText: row.sign_in_text,
    color: row.primary_color,
    logo: logo && image ? { bytes: logo, contentType: image.contentType, width: image.width, height: image.height } : null,
    version: row.version,
  });
}

function inspected(logo: Buffer) {
  try {
    return inspectLogo(logo);
  } catch {
    return null;
  }
}

// deepFreeze cannot freeze a Buffer's bytes (V8 refuses to freeze typed arrays with elements).
function freezeBrand(brand: Brand): Brand {
  if (brand.logo) Object.freeze(brand.logo);
  return Object.freeze(brand);
}

function applyChanges(base: Brand, input: BrandChanges): Brand {
  const text = parseInput(BrandTextSchema, { name: input.name, signInText: input.signInText, color: input.color });
  const color = text.color === undefined ? base.color : text.color === null ? null : checkPrimaryColor(text.color);
  let logo = base.logo;
  if (input.logo === null) logo = null;
  else if (input.logo !== undefined) {
    const bytes = Buffer.from(input.logo);
    logo = { bytes, ...inspectLogo(bytes) };
  }
  return freezeBrand({
    name: text.name === undefined ? base.name : text.name,
    signInText: text.signInText === undefined ? base.signInText : text.signInText,
    color, logo, version: base.version,
  });
}
