import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { checkAgainst, fieldProblemOf, type FieldProblem } from '../../src/core/field-problems.ts';
import { templateProblems } from '../../src/core/mail-templates/template-check.ts';
import { NameSchema } from '../../src/core/validation.ts';
import { drawnWith } from '../../src/http/page-context.ts';
import { problemInPageLanguage } from '../../src/http/pages/admin/app-problems.ts';

// Issue 18 part 7: a console form's field problems in the page's language. Zod's own problems are
// said from the issue (code and parameters), not from zod's English wording; our schemas' own
// sentences are recognised one by one, and every sentence a schema in src/ writes is covered.

const inGerman = (found: FieldProblem | string) => drawnWith({ language: 'de' }, () => problemInPageLanguage(found));
const inLanguage = (language: 'de' | 'fr' | 'es', found: FieldProblem | string) => drawnWith({ language }, () => problemInPageLanguage(found));
const problemsOf = (schema: z.ZodType, input: unknown) => {
  const result = checkAgainst(schema, input);
  assert.equal(result.success, false);
  return result.error!.issues.map((issue) => fieldProblemOf(issue, issue.path.join('.')));
};

describe('field problems', () => {
  it('keeps zod’s issue with a problem zod worded, not in the JSON the admin API sends, and the English unchanged', () => {
    const [short, big, missing] = problemsOf(z.object({ a: z.string().min(3), b: z.number().max(10), c: z.string() }), { a: 'x', b: 11 });
    assert.equal(short!.problem, 'Too small: expected string to have >=3 characters');
    assert.deepEqual({ code: short!.issue?.code, origin: short!.issue?.origin, minimum: short!.issue?.minimum }, { code: 'too_small', origin: 'string', minimum: 3 });
    assert.equal(big!.issue?.maximum, 10);
    assert.equal(missing!.issue?.missing, true);
    assert.equal(JSON.stringify(short), '{"field":"a","problem":"Too small: expected string to have >=3 characters"}');
  });

  it('a message our schema wrote carries no issue: it is recognised by its own words', () => {
    const [problem] = problemsOf(NameSchema, '');
    assert.equal(problem!.problem, 'a name is required');
    assert.equal(problem!.issue, undefined);
    assert.equal(inGerman(problem!), 'Pflichtfeld');
  });

  it('translates from the issue whatever zod’s English says (a future zod may word it otherwise)', () => {
    const [short] = problemsOf(z.string().min(8), 'abc');
    const reworded = { ...short!, problem: 'String must contain at least 8 character(s)' };
    Object.defineProperty(reworded, 'issue', { value: short!.issue, enumerable: false });
    assert.equal(inGerman(reworded), 'Mindestens 8 Zeichen');
    assert.equal(inLanguage('fr', reworded), 'Au moins 8 caractères');
    assert.equal(inLanguage('es', reworded), 'Al menos 8 caracteres');
  });

  it('says each common issue code in German, with its parameters', () => {
    const schema = z.object({
      url: z.url(), email: z.email(), id: z.uuid(), kind: z.enum(['saml', 'oidc']), n: z.number().int().min(5), m: z.number().gt(0), most: z.number().lt(9),
      list: z.array(z.string()).min(1), few: z.array(z.string()).max(2), name: z.string().min(1), long: z.string().max(4), given: z.string(), count: z.number(),
      strict: z.object({ x: z.string() }).strict(),
    });
    const problems = Object.fromEntries(problemsOf(schema, {
      url: 'nope', email: 'x', id: 'q', kind: 'ldap', n: 3.5, m: 0, most: 9, list: [], few: ['a', 'b', 'c'], name: '', long: 'abcdef', count: 'x', strict: { x: 'y', extra: 1 },
    }).map((p) => [p.field, inGerman(p)]));
    assert.deepEqual(problems, {
      url: 'Keine gültige URL', email: 'Keine gültige E-Mail-Adresse', id: 'Keine gültige ID (UUID)', kind: 'Einer dieser Werte: saml, oidc',
      n: 'Bitte eine ganze Zahl', m: 'Größer als 0', most: 'Kleiner als 9', list: 'Wählen Sie mindestens einen Eintrag', few: 'Höchstens 2 Einträge',
      name: 'Pflichtfeld', long: 'Höchstens 4 Zeichen', given: 'Pflichtfeld', count: 'Bitte eine Zahl', strict: 'Unbekannte Einstellungen: extra',
    });
  });

  it('leaves English pages and sentences it does not know as they came', () => {
    const [short] = problemsOf(z.string().min(8), 'abc');
    assert.equal(drawnWith({ language: 'en' }, () => problemInPageLanguage(short!)), 'Too small: expected string to have >=8 characters');
    assert.equal(inGerman('something only a protocol says'), 'something only a protocol says');
  });

  it('an email template’s problems (beyond its syntax) are said in German, with their variables', () => {
    const problems = templateProblems('passwordReset', { subject: 'Zeile\nzwei', body: 'Hallo {nobody}, {name, plural, one {#} other {#}}' }).map((p) => inGerman(p.problem));
    assert.deepEqual(problems.sort(), [
      'Muss eine Zeile sein: Ein Zeilenumbruch in einer E-Mail-Kopfzeile könnte eigene Kopfzeilen hinzufügen.',
      'Muss {link} enthalten (außerhalb jedes Plurals und jeder Auswahl): Ohne sie ist die E-Mail nutzlos.',
      '{name} ist Text: Sie kann nicht als plural-Wert verwendet werden.',
      '{nobody} ist keine Variable dieser E-Mail; sie darf {name}, {helpdeskName}, {link}, {expiresMinutes} verwenden.',
    ].sort());
  });

  it('every sentence a schema in src/ writes is said in German, French and Spanish', () => {
    const sentences = ourSchemaSentences();
    assert.ok(sentences.length >= 25, `found only ${sentences.length}: the scan below lost its way`);
    const untranslated = sentences.filter((s) => (['de', 'fr', 'es'] as const).some((language) => inLanguage(language, s.sample) === s.sample));
    assert.deepEqual(untranslated, []);
  });
});

// Answers only the admin API or the command line reads (they stay English, docs/ADMIN-CONSOLE.md
// "Languages"), and a filter the audit page drops rather than shows (routes/admin/audit.ts .catch).
const NOT_ON_A_CONSOLE_PAGE = [/^src\/http\/api\//, /^src\/config\.ts$/, /^src\/http\/routes\/admin\/audit\.ts$/];

type Sentence = { file: string; sample: string };

/**
 * The messages our zod schemas write: the last argument of .min/.max/.regex/.refine/.length and
 * every `message:`, in each file that imports zod, with each `${...}` filled in with a sample
 * value (a number, or an algorithm list). The JWT key check's sentences are its returns.
 */
function ourSchemaSentences(): Sentence[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.startsWith('src/i18n/')) files.push(path);
    }
  };
  walk('src');
  const literal = String.raw`('(?:[^'\\]|\\.)*'|\x60[^\x60]*\x60)`;
  const messageProperty = new RegExp(String.raw`message:\s*${literal}`, 'g');
  const keyCheckReturn = new RegExp(String.raw`return\s+${literal};`, 'g');
  const sample = (text: string) => text.slice(1, -1).replace(/\$\{([^}]*)\}/g, (_, expression: string) => (/join/.test(expression) ? 'HS256' : /\?\?/.test(expression) ? 'an RSA' : '32'));
  const found: Sentence[] = [];
  for (const file of files) {
    if (NOT_ON_A_CONSOLE_PAGE.some((p) => p.test(file))) continue;
    const source = readFileSync(file, 'utf8');
    if (!source.includes("from 'zod'")) continue;
    const literals = [...lastLiterals(source), ...[messageProperty, ...(file === 'src/protocols/jwt/config.ts' ? [keyCheckReturn] : [])].flatMap((p) => [...source.matchAll(p)].map((m) => m[1]!))];
    // A literal that is code, not a sentence (a field path, an encoding) is not a message.
    for (const text of literals.map(sample)) if (/\s/.test(text)) found.push({ file, sample: text });
  }
  return found;
}

/** The last argument of each .min/.max/.regex/.refine/.length call, when it is a string literal (read paren by paren, over lines). */
function lastLiterals(source: string): string[] {
  const found: string[] = [];
  for (const call of source.matchAll(/\.(?:min|max|regex|refine|length)\(/g)) {
    let depth = 1;
    const starts = [call.index + call[0].length];
    let i = starts[0]!;
    for (; i < source.length && depth > 0; i++) {
      const c = source[i]!;
      if (c === '\\') i++;
      else if (c === "'" || c === '`' || c === '"') {
        for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
      } else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      else if (c === ',' && depth === 1) starts.push(i + 1);
    }
    // A trailing comma leaves an empty last argument: the one before it is the last.
    const ends = [...starts.slice(1).map((s) => s - 1), i - 1];
    const args = starts.map((s, n) => source.slice(s, ends[n]).trim()).filter(Boolean);
    const last = args.at(-1) ?? '';
    if (/^('(?:[^'\\]|\\.)*'|`[^`]*`)$/s.test(last)) found.push(last);
  }
  return found;
}
