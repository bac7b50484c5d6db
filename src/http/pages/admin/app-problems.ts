import { currentPage } from '../../page-context.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { t, type MessageValues } from '../../../i18n/t.ts';

// The problems shown under a console form's field and in its refusal box (blocks.ts), and by
// validation as you type (routes/admin/app-validation.ts), in the page's language. They are
// zod's own English messages or the few our common schemas give (core/validation.ts, brand.ts,
// language-settings.ts): both are fixed wordings, recognised here and said again through a
// message; anything else (a protocol's own sentence, a rarer zod message) stays as it came. The
// admin API answers them in English (details.fields), and English pages show them unchanged.

const ZOD_MESSAGES: readonly [RegExp, MessageKey, (m: RegExpExecArray) => MessageValues][] = [
  [/^Invalid URL$/, 'apps.problem.url', () => ({})],
  [/^Invalid email address$/, 'apps.problem.email', () => ({})],
  [/^Invalid input: expected \w+, received undefined$/, 'apps.problem.required', () => ({})],
  [/^Invalid input: expected int, received number$/, 'apps.problem.integer', () => ({})],
  [/^Invalid input: expected number, received \w+$/, 'apps.problem.number', () => ({})],
  [/^Too small: expected string to have >=1 characters?$/, 'apps.problem.required', () => ({})],
  [/^Too small: expected string to have >=(\d+) characters?$/, 'apps.problem.tooShort', (m) => ({ min: Number(m[1]) })],
  [/^Too big: expected string to have <=(\d+) characters?$/, 'apps.problem.tooLong', (m) => ({ max: Number(m[1]) })],
  [/^Too small: expected number to be >=?(-?[\d.]+)$/, 'apps.problem.min', (m) => ({ min: m[1]! })],
  [/^Too big: expected number to be <=?(-?[\d.]+)$/, 'apps.problem.max', (m) => ({ max: m[1]! })],
  [/^Invalid option: expected one of (.+)$/, 'apps.problem.option', (m) => ({ options: m[1]!.replace(/"/g, '').split('|').join(', ') })],
  // Our schemas' own words.
  [/^a name is required$/, 'apps.problem.required', () => ({})],
  [/^not an email address$/, 'apps.problem.email', () => ({})],
  [/^at most (\d+) characters$/, 'apps.problem.tooLong', (m) => ({ max: Number(m[1]) })],
  [/^has control characters$/, 'apps.problem.controlCharacters', () => ({})],
  [/^offer at least one language$/, 'apps.problem.oneLanguage', () => ({})],
];

export function problemInPageLanguage(problem: string): string {
  if (currentPage().language === 'en') return problem;
  for (const [pattern, key, values] of ZOD_MESSAGES) {
    const match = pattern.exec(problem);
    if (match) return t(key, values(match));
  }
  return problem;
}
