import type { ExternalProfile } from './account-resolution.ts';
import { FrontdoorError } from './errors.ts';
import { oneLine } from './one-line.ts';

// What an identity service says about a person is text someone else typed: a display name a
// user set on their own profile at the service, or on the website that signs JWTs for us. It
// is checked once, where every external sign-in arrives (external-sign-in-completion.ts),
// before anything is stored or traced.

/** The longest name a person has here (NameSchema). */
export const NAME_MAX_CHARACTERS = 200;

/**
 * A name from an identity service as a name here: controls and line breaks become spaces,
 * spaces collapse, and it is cut to NAME_MAX_CHARACTERS (whole characters, counted as NameSchema counts). Refusing it instead
 * would lock the person out for a tab in a profile field they may not even see; storing it as it
 * came would let a line break write lines of its own into the emails that greet them by name,
 * and a NUL fail the database (PostgreSQL text cannot hold it) with a 5xx. Undefined when
 * nothing is left: the caller's own fallback (the email's local part) applies.
 */
export function nameFromService(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let name = '';
  // Whole characters up to the limit as NameSchema counts it (UTF-16 units): never half an emoji.
  for (const character of oneLine(raw).replace(/\s+/g, ' ')) {
    if (name.length + character.length > NAME_MAX_CHARACTERS) break;
    name += character;
  }
  return name.trim() || undefined;
}

/**
 * The profile with its name made a name (above); refused (`sso.token_invalid`) when the
 * subject, issuer or email holds a control character: those are identifiers, matched exactly,
 * and one no real service issues is an answer we cannot store, not one to repair.
 */
export function checkedProfile(profile: ExternalProfile): ExternalProfile {
  for (const [field, value] of [['subject', profile.subject], ['issuer', profile.issuer], ['email', profile.email]] as const) {
    if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value)) {
      throw new FrontdoorError('sso.token_invalid', `The identity service's answer holds a control character in its ${field}, which no identity here may hold. Ask its administrator to check the account.`, { check: 'claims', field });
    }
  }
  return { ...profile, name: nameFromService(profile.name) };
}
