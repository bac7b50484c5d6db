import type { Language } from '../core/languages.ts';
import type { MessageKey } from './en.ts';
import { isMessageKey, translate, type MessageValues } from './t.ts';

// The detail of a check in a report (the Test, a pasted token, a test sign-in) is kept as a
// message key and its values, not as a sentence, so each reader gets it in their own language:
// the console in the page's, the admin API always in English (the words it has always answered).

/**
 * A value in a check's detail: as it came (an address, a count, a library's or a service's
 * error text, never translated), another message (a part of the sentence that is itself words
 * of ours), or a refusal of ours (its code's message in the reader's language, error.<code>;
 * in English the message it was raised with, which may say more).
 */
export type CheckValue = string | number | CheckMessage | RefusalValue;
export type RefusalValue = { refusal: { code: string; message: string } };

/** A refusal of ours (a FrontdoorError) inside a detail: only its code and message are kept. */
export const refusalOf = (error: { code: string; message: string }): RefusalValue => ({ refusal: { code: error.code, message: error.message } });

export type CheckMessage = { key: MessageKey; values?: Readonly<Record<string, CheckValue>> | undefined };

export const checkMessage = (key: MessageKey, values?: Readonly<Record<string, CheckValue>>): CheckMessage => (values ? { key, values } : { key });

/** The sentence of a detail in `language`. */
export function checkDetailText(message: CheckMessage, language: Language): string {
  const values: MessageValues = {};
  for (const [name, value] of Object.entries(message.values ?? {})) values[name] = valueText(value, language);
  return translate(language, message.key, values);
}

function valueText(value: CheckValue, language: Language): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if ('refusal' in value) {
    const key = `error.${value.refusal.code}`;
    return language !== 'en' && isMessageKey(key) ? translate(language, key) : value.refusal.message;
  }
  return checkDetailText(value, language);
}

/**
 * A detail as a report stored it: a message, or (a report stored before details were messages,
 * kept for a day) the English sentence itself, shown as it is. A message whose key this
 * version no longer has is shown in the English it was stored with.
 */
export function storedDetailText(stored: CheckMessage | string | undefined, english: string, language: Language): string {
  if (stored === undefined || typeof stored === 'string') return stored ?? english;
  return knownKeys(stored) ? checkDetailText(stored, language) : english;
}

function knownKeys(message: CheckMessage): boolean {
  if (!isMessageKey(message.key)) return false;
  return Object.values(message.values ?? {}).every((value) => typeof value !== 'object' || 'refusal' in value || knownKeys(value));
}
