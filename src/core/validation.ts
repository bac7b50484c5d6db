import { z } from 'zod';
import { FrontdoorError } from './errors.ts';
import { checkAgainst, fieldProblemOf } from './field-problems.ts';

// Shapes shared by the API, the pages and the CLI, so every door checks input the same way.

const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

export const EmailSchema = z
  .string()
  .trim()
  .min(3)
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'not an email address');

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
