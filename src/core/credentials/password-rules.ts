import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrontdoorError } from '../errors.ts';

export const PASSWORD_MIN_LENGTH = 8;
/** The highest minimum an admin can set; NIST SP 800-63B wants at least 64 allowed. */
export const PASSWORD_MIN_LENGTH_CEILING = 64;
export const PASSWORD_MAX_LENGTH = 256;

let common: Set<string> | undefined;

/** The shipped top-10,000 list (see common-passwords.NOTICE.md); read once, no network. */
export function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(join(import.meta.dirname, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
  return common;
}

// NIST SP 800-63B: length matters, composition rules do not, and passwords known from
// breaches are refused. Length counts characters (code points), not bytes, so a passphrase
// in any script is treated alike. The list is compared case-insensitively.
export function checkPasswordRules(password: string, minLength: number = PASSWORD_MIN_LENGTH): void {
  const length = [...password].length;
  const min = Math.min(Math.max(minLength, PASSWORD_MIN_LENGTH), PASSWORD_MIN_LENGTH_CEILING);
  if (length < min) {
    throw new FrontdoorError('password.too_short', `The password must have at least ${min} characters.`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new FrontdoorError('password.too_long', `The password may have at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  if (commonPasswords().has(password.toLowerCase())) {
    throw new FrontdoorError('password.too_common', 'This password is one of the most common ones, which attackers try first. Choose another.');
  }
}
