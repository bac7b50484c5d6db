import { z } from 'zod';

// A field's problem as a refusal names it (details.fields): the field, and the problem in English
// as the admin API says it. When the problem is zod's own (not a message our schema wrote), the
// issue behind it travels with it: its code and parameters (too_small, minimum 3, string), so a
// console page can say it in its own language from what was found rather than by recognising
// zod's English wording, which changes between zod versions (i18n/field-problems.ts).

/** What zod found, without the input: enough to say it again in another language. */
export type ZodIssueFacts = {
  readonly code: string;
  readonly origin?: string | undefined;
  readonly minimum?: number | undefined;
  readonly maximum?: number | undefined;
  readonly inclusive?: boolean | undefined;
  readonly format?: string | undefined;
  readonly expected?: string | undefined;
  readonly values?: readonly string[] | undefined;
  readonly keys?: readonly string[] | undefined;
  /** invalid_type with no value at all: the field was left out (said as "required"). */
  readonly missing?: boolean | undefined;
};

export type FieldProblem = { field: string; problem: string; readonly issue?: ZodIssueFacts };

// Zod calls a parse's own error map only for issues whose schema gave no message of its own:
// what it answers is zod's default English, marked so that the issue is known to be zod's (and,
// since the finished issue no longer holds the input, whether there was a value at all).
const BY_ZOD = '\u0000zod\u0000';
const BY_ZOD_MISSING = '\u0000zod-missing\u0000';
const markDefaults: z.core.$ZodErrorMap = (issue) => {
  const english = z.config().localeError?.(issue);
  const message = typeof english === 'string' ? english : english?.message;
  if (message === undefined) return undefined;
  return `${issue.code === 'invalid_type' && issue.input === undefined ? BY_ZOD_MISSING : BY_ZOD}${message}`;
};
const markOf = (message: string) => [BY_ZOD_MISSING, BY_ZOD].find((mark) => message.startsWith(mark));

/** schema.safeParse, with zod's default messages marked for fieldProblemOf. */
export function checkAgainst<S extends z.ZodType>(schema: S, input: unknown): z.ZodSafeParseResult<z.infer<S>> {
  return schema.safeParse(input, { error: markDefaults }) as z.ZodSafeParseResult<z.infer<S>>;
}

const asNumber = (value: unknown) => (typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined);

function factsOf(issue: z.core.$ZodIssue, missing: boolean): ZodIssueFacts {
  const raw = issue as unknown as Record<string, unknown>;
  return {
    code: issue.code,
    origin: typeof raw.origin === 'string' ? raw.origin : undefined,
    minimum: asNumber(raw.minimum),
    maximum: asNumber(raw.maximum),
    inclusive: typeof raw.inclusive === 'boolean' ? raw.inclusive : undefined,
    format: typeof raw.format === 'string' ? raw.format : undefined,
    expected: typeof raw.expected === 'string' ? raw.expected : undefined,
    values: Array.isArray(raw.values) ? raw.values.map(String) : undefined,
    keys: Array.isArray(raw.keys) ? raw.keys.map(String) : undefined,
    missing,
  };
}

/**
 * A zod issue (from checkAgainst) as a field problem. The issue is kept as a non-enumerable
 * property: pages read it, and the admin API's JSON (which serialises details.fields) stays
 * { field, problem } as it always was.
 */
export function fieldProblemOf(issue: z.core.$ZodIssue, field: string): FieldProblem {
  const mark = markOf(issue.message);
  const problem: FieldProblem = { field, problem: mark ? issue.message.slice(mark.length) : issue.message };
  if (mark) Object.defineProperty(problem, 'issue', { value: factsOf(issue, mark === BY_ZOD_MISSING), enumerable: false });
  return problem;
}
