// The languages Frontdoor's pages and emails are written in (issue 18, part 7). A language is a
// BCP 47 primary tag: what `lang` carries and what Accept-Language is matched against.
export const LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
/** What a page or email falls back to when nothing chooses a language. */
export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** A stored or requested language, or the default when it is not one Frontdoor has. */
export function supportedLanguage(value: unknown): Language {
  return isLanguage(value) ? value : DEFAULT_LANGUAGE;
}

/** The language of an email to a person: their own setting, else the default. */
export function languageOf(person: object & { language?: string | null | undefined }): Language {
  return supportedLanguage('language' in person ? person.language : undefined);
}

/** Each language in its own name, as the language menu lists them. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español' };
