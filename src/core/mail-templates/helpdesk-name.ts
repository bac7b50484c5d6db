import type { Language } from '../languages.ts';

// What {helpdeskName} says in an email. One place on purpose: once the helpdesk has a brand
// (issue 18 part 6), this answers its name; until then a phrase that reads right in each
// language's signature ("…the sign-in service of the helpdesk").
const UNBRANDED: Record<Language, string> = {
  en: 'the helpdesk',
  de: 'Ihrem Helpdesk',
  fr: 'votre service d’assistance',
  es: 'su servicio de asistencia',
};

export function helpdeskName(language: Language): string {
  return UNBRANDED[language];
}
