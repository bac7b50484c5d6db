import { FrontdoorError } from '../../core/errors.ts';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

// NIST SP 800-63B: length matters, composition rules do not. Length counts characters
// (code points), not bytes, so a passphrase in any script is treated alike.
export function checkPasswordRules(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw new FrontdoorError('password.too_short', `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new FrontdoorError('password.too_long', `The password may have at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
}
