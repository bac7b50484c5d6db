import { currentPage } from '../../page-context.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { t, type MessageValues } from '../../../i18n/t.ts';

// The problems validation as you type shows under each field (routes/admin/app-validation.ts),
// in the page's language. Most are zod's own English messages: the common ones are recognised by
// their wording and said again through a message; anything else (a protocol's own sentence, a
// rarer zod message) stays as it came. English pages show zod's words unchanged.

const ZOD_MESSAGES: readonly [RegExp, MessageKey, (m: RegExpExecArray) => MessageValues][] = [
  [/^Invalid URL$/, 'apps.problem.url', () => ({})],
  [/^Invalid email address$/, 'apps.problem.email', () => ({})],
  [/^Invalid input: expected \w+, received undefined$/, 'apps.problem.required', () => ({})],
  [/^Invalid input: expected int, received number$/, 'apps.problem.integer', () => ({})],
  [/^Too small: expected string to have >=1 characters?$/, 'apps.problem.required', () => ({})],
  [/^Too small: expected string to have >=(\d+) characters?$/, 'apps.problem.tooShort', (m) => ({ min: Number(m[1]) })],
  [/^Too big: expected string to have <=(\d+) characters?$/, 'apps.problem.tooLong', (m) => ({ max: Number(m[1]) })],
  [/^Too small: expected number to be >=?(-?[\d.]+)$/, 'apps.problem.min', (m) => ({ min: m[1]! })],
  [/^Too big: expected number to be <=?(-?[\d.]+)$/, 'apps.problem.max', (m) => ({ max: m[1]! })],
  [/^Invalid option: expected one of (.+)$/, 'apps.problem.option', (m) => ({ options: m[1]!.replace(/"/g, '').split('|').join(', ') })],
];

export function problemInPageLanguage(problem: string): string {
  if (currentPage().language === 'en') return problem;
  for (const [pattern, key, values] of ZOD_MESSAGES) {
    const match = pattern.exec(problem);
    if (match) return t(key, values(match));
  }
  return problem;
}
