import { z } from 'zod';
import { FrontdoorError } from './errors.ts';
import { checkAgainst, fieldProblemOf } from './field-problems.ts';

// Shapes shared by the API, the pages and the CLI, so every door checks input the same way.

const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

/**
 * An email address as people and identity services really write it: a local part of letters,
 * digits and the usual `.+-_'` and other atext characters, and a domain of letters, digits and
 * hyphens in dotted labels (Unicode letters allowed in both: internationalised addresses).
 *
 * Refused even where RFC 5321/5322 allow them, because mail systems disagree about what they mean
 * ("parser differentials": Gareth Heyes, "Splitting the email atom", Black Hat USA 2024), and
 * whoever reads an address differently from us can be mailed what we think goes elsewhere, or
 * pass an email-domain filter (an app's `emailDomains`, Auto Agent) for a domain they do not hold:
 * - RFC 2047 encoded-words (`=?x?q?attacker=40evil.com=3e=00?=@example.com`), which some mailers
 *   decode into another recipient, so a service "verifies" an @example.com address at evil.com;
 * - source routes: `%` (the percent hack, `attacker%evil.com@example.com` relayed to evil.com)
 *   and `!` (UUCP bang paths);
 * - quoted local parts, comments, IP-literal domains and every other special (`"(),:;<>[\]`),
 *   which no address we need uses.
 */
const EMAIL_ADDRESS = /^(?!.*=\?)[\p{L}\p{M}\p{N}.'+\-_#$&*/=?^`{|}~]+@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)+$/u;

export const EmailSchema = z
  .string()
  .trim()
  .min(3)
  .max(254)
  .regex(EMAIL_ADDRESS, 'not an email address');

export const NameSchema = z.string().trim().min(1, 'a name is required').max(200).regex(NO_CONTROL_CHARS, 'has control characters');

export const UuidSchema = z.uuid();

/** Parses `input` or throws `request.invalid` naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = checkAgainst(schema, input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => fieldProblemOf(issue, issue.path.join('.') || '(body)'));
  const summary = fields.map((f) => `${f.field}: ${f.problem}`).join('; ');
  throw new FrontdoorError('request.invalid', `The request is not valid: ${summary}.`, { fields });
}
