import { IntlMessageFormat } from 'intl-messageformat';
import type { Language } from '../core/languages.ts';
import { currentPage } from '../http/page-context.ts';
import { de } from './de.ts';
import { en, type MessageKey, type Messages } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';

// Every string a page shows goes through t(): ICU MessageFormat (plurals, selects) through
// intl-messageformat, in the language of the request being answered (page-context.ts).

export const CATALOGS: Record<Language, Messages> = { en, de, fr, es };

export type MessageValues = Record<string, string | number>;

/** Compiling a message parses it: done once per language and key, then reused by every page. */
const compiled = new Map<string, IntlMessageFormat>();

export function translate(language: Language, key: MessageKey, values?: MessageValues): string {
  const id = `${language}:${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = new IntlMessageFormat(CATALOGS[language][key], language);
    compiled.set(id, format);
  }
  return String(format.format(values));
}

/** The message `key` in the current page's language. */
export function t(key: MessageKey, values?: MessageValues): string {
  return translate(currentPage().language, key, values);
}

/** Whether `key` is a message (error codes are looked up by name: `error.<code>`). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
