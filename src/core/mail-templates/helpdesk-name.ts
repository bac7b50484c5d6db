import type { Language } from '../languages.ts';

// What {helpdeskName} says in an email: the brand's name (issue 18 part 6) when the admin set
// one, else a phrase that reads right in each language's signature ("…the sign-in service of
// the helpdesk").
const UNBRANDED: Record<Language, string> = {
  en: 'the helpdesk',
  de: 'Ihrem Helpdesk',
  fr: 'votre service d’assistance',
  es: 'su servicio de asistencia',
};

export function helpdeskName(language: Language, brandName?: string | null): string {
  return brandName ?? UNBRANDED[language];
}
