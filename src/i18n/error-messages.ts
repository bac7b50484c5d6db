import { currentPage } from '../http/page-context.ts';
import { isMessageKey, t } from './t.ts';

/**
 * What a refusal says to a person, in the page's language: the message of its code
 * (`error.<code>` in the catalogues) when there is one, else the English message it was
 * raised with. English pages keep the raised message itself, which may say more (a field, a
 * number of minutes) than the code's general one.
 */
export function errorMessage(error: { code: string; message: string }): string {
  if (currentPage().language === 'en') return error.message;
  const key = `error.${error.code}`;
  return isMessageKey(key) ? t(key) : error.message;
}
