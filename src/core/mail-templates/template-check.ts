import IntlMessageFormat from 'intl-messageformat';
import { FrontdoorError, type ErrorCode } from '../errors.ts';
import { variablesOf, type MailKind, type MailTemplate } from './kinds.ts';

// What Save checks before a template is stored (issue 18 part 9): both parts parse as ICU
// messages, every variable is one the kind offers and of a type its form fits, every required
// variable appears, the subject is one line (a line break in a header is header injection:
// "Subject: x\r\nBcc: everyone@…"), and both fit their length limits.

export const TEMPLATE_LIMITS = { subject: 200, body: 10_000 } as const;

type Field = keyof MailTemplate;
type Problem = { field: Field; problem: string; code: ErrorCode };

// The node types of @formatjs/icu-messageformat-parser (its TYPE enum), as getAst() gives them.
const LITERAL = 0, ARGUMENT = 1, NUMBER = 2, DATE = 3, TIME = 4, SELECT = 5, PLURAL = 6, POUND = 7, TAG = 8;
const FORM_NAME: Record<number, string> = { [ARGUMENT]: 'plain', [NUMBER]: 'number', [DATE]: 'date', [TIME]: 'time', [SELECT]: 'select', [PLURAL]: 'plural' };

type AstNode = { type: number; value?: unknown; options?: Record<string, { value: AstNode[] }>; children?: AstNode[] };
type Use = { name: string; form: number; nested: boolean };

/** Plain text: `<` is a character, not the start of an ICU tag. */
export const ICU_OPTIONS = { ignoreTag: true } as const;

const SYNTAX_HINTS: Record<string, string> = {
  EXPECT_ARGUMENT_CLOSING_BRACE: 'a { is not closed by }',
  UNMATCHED_CLOSING_BRACE: 'a } has no { before it (write \'}\' for a literal brace)',
  EMPTY_ARGUMENT: 'there is an empty {}',
  MALFORMED_ARGUMENT: 'a variable name is not valid',
  EXPECT_ARGUMENT_TYPE: 'a variable is followed by a comma but no form (plural, select, number)',
  INVALID_ARGUMENT_TYPE: 'a variable’s form is not one of plural, select, number',
  EXPECT_PLURAL_ARGUMENT_SELECTOR: 'a plural has no cases',
  MISSING_OTHER_CLAUSE: 'a plural or select has no "other" case',
  EXPECT_SELECT_ARGUMENT_OPTIONS: 'a select has no cases',
};

/** The variables a message uses, and whether each sits inside a plural or select case. */
function usesOf(nodes: AstNode[], nested = false, into: Use[] = []): Use[] {
  for (const node of nodes) {
    if (node.type === LITERAL || node.type === POUND) continue;
    if (node.type === TAG) {
      usesOf(node.children ?? [], nested, into);
      continue;
    }
    into.push({ name: String(node.value), form: node.type, nested });
    for (const option of Object.values(node.options ?? {})) usesOf(option.value, true, into);
  }
  return into;
}

function parse(field: Field, message: string, problems: Problem[]): Use[] | undefined {
  try {
    return usesOf(new IntlMessageFormat(message, 'en', undefined, ICU_OPTIONS).getAst() as AstNode[]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const at = (error as { location?: { start?: { line?: number; column?: number } } }).location?.start;
    const where = at?.line ? ` (line ${at.line}, column ${at.column})` : '';
    problems.push({ field, code: 'mail_template.syntax_invalid', problem: `is not a valid message: ${SYNTAX_HINTS[reason] ?? reason}${where}.` });
    return undefined;
  }
}

/** The problems of a template for this kind, one per finding, each naming its field. */
export function templateProblems(kind: MailKind, template: MailTemplate): Problem[] {
  const problems: Problem[] = [];
  const variables = variablesOf(kind);
  for (const field of ['subject', 'body'] as const) {
    const text = template[field];
    if (!text.trim()) problems.push({ field, code: 'request.invalid', problem: 'must not be empty.' });
    if (text.length > TEMPLATE_LIMITS[field]) problems.push({ field, code: 'mail_template.too_long', problem: `is ${text.length} characters; at most ${TEMPLATE_LIMITS[field]}.` });
  }
  // Any line break, including the Unicode ones a mail library may turn into one.
  if (/[\r\n\u0085\u2028\u2029]/.test(template.subject)) {
    problems.push({ field: 'subject', code: 'mail_template.subject_line_break', problem: 'must be one line: a line break in an email header could add headers of its own.' });
  }
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(template.subject + template.body)) {
    problems.push({ field: /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(template.subject) ? 'subject' : 'body', code: 'request.invalid', problem: 'contains a control character.' });
  }
  const used = new Map<string, Use[]>();
  for (const field of ['subject', 'body'] as const) {
    const uses = parse(field, template[field], problems);
    if (!uses) continue;
    for (const use of uses) {
      // Own keys only: {constructor}, {toString} or {__proto__} are found on every object's
      // prototype, and would pass as variables and print JavaScript's internals into emails.
      const spec = Object.hasOwn(variables, use.name) ? variables[use.name] : undefined;
      if (!spec) {
        problems.push({ field, code: 'mail_template.variable_unknown', problem: `{${use.name}} is not a variable of this email; it may use ${Object.keys(variables).map((v) => `{${v}}`).join(', ')}.` });
        continue;
      }
      const fits = use.form === ARGUMENT || use.form === SELECT || (spec.type === 'number' && (use.form === PLURAL || use.form === NUMBER));
      if (!fits) problems.push({ field, code: 'mail_template.variable_type', problem: `{${use.name}} is ${spec.type === 'number' ? 'a number' : 'text'}: it cannot be used as a ${FORM_NAME[use.form] ?? 'formatted'} value.` });
      used.set(use.name, [...(used.get(use.name) ?? []), use]);
    }
  }
  if (problems.some((p) => p.code === 'mail_template.syntax_invalid')) return problems;
  for (const [name, spec] of Object.entries(variables)) {
    // Inside a plural or select case it may not be printed at all: a required variable must
    // appear where every rendering shows it.
    if (spec.required && !used.get(name)?.some((u) => !u.nested && u.form === ARGUMENT)) {
      problems.push({ field: 'body', code: 'mail_template.variable_missing', problem: `must contain {${name}} (outside any plural or select): without it the email is useless.` });
    }
  }
  return problems;
}

/** Refuses a template with its first problem's code; every problem is listed by field. */
export function checkTemplate(kind: MailKind, template: MailTemplate): void {
  const problems = templateProblems(kind, template);
  if (!problems.length) return;
  const [first] = problems;
  throw new FrontdoorError(first!.code, `This template cannot be saved: the ${first!.field} ${first!.problem}`, {
    fields: problems.map(({ field, problem }) => ({ field, problem })),
  });
}
