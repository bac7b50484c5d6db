import IntlMessageFormat from 'intl-messageformat';
import type { Language } from '../languages.ts';
import type { MailTemplate } from './kinds.ts';
import { ICU_OPTIONS } from './template-check.ts';

export type RenderedMail = { subject: string; text: string };

/**
 * A template filled in, in its language's plural rules. The subject is made one line even if
 * a value carried a line break (a person's name): Save checks the template, this the values.
 */
export function renderTemplate(template: MailTemplate, language: Language, values: Record<string, string | number>): RenderedMail {
  const format = (message: string) => String(new IntlMessageFormat(message, language, undefined, ICU_OPTIONS).format(values));
  return {
    subject: format(template.subject).replace(/[\r\n\u0085\u2028\u2029]+/g, ' ').trim(),
    text: format(template.body),
  };
}
