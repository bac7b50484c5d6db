import type { Language } from '../../languages.ts';
import type { MailKind, MailTemplate } from '../kinds.ts';
import { DE } from './de.ts';
import { EN } from './en.ts';
import { ES } from './es.ts';
import { FR } from './fr.ts';

// The templates a helpdesk gets before anyone edits one, per language. A test checks that
// every kind has every language and that each parses and uses only (and all required) variables.
export const DEFAULT_TEMPLATES: Record<Language, Record<MailKind, MailTemplate>> = { en: EN, de: DE, fr: FR, es: ES };

/** What {appLinks} says for a sign-in service without a known lost-password page. */
export const NO_LOST_PASSWORD_PAGE: Record<Language, string> = {
  en: 'ask your IT team',
  de: 'fragen Sie Ihr IT-Team',
  fr: 'demandez à votre équipe informatique',
  es: 'pregunte a su equipo de TI',
};

export function defaultTemplate(kind: MailKind, language: Language): MailTemplate {
  return DEFAULT_TEMPLATES[language][kind];
}
