/** One SQL statement with its parameters ($1, $2, … numbered from 1). */
export type Statement = { text: string; params: unknown[] };

/**
 * `main` and the side writes as ONE statement: each side write becomes a data-modifying CTE
 * (PostgreSQL runs them all, referenced or not, atomically with `main`). A sign-in writes its
 * session, its SSO trace and its audit entry this way: one round trip instead of three, and
 * never a session without its audit entry. `main` must not start with WITH itself; the side
 * writes must not reference each other. Parameters are renumbered; our SQL has no `$` inside
 * string literals, which this renumbering relies on.
 */
export function withSideWrites(main: Statement, sideWrites: readonly Statement[]): Statement {
  if (sideWrites.length === 0) return main;
  const params = [...main.params];
  const ctes = sideWrites.map((side, index) => {
    const offset = params.length;
    params.push(...side.params);
    return `side_write_${index} AS (${renumbered(side.text, offset)})`;
  });
  return { text: `WITH ${ctes.join(',\n')}\n${main.text}`, params };
}

/** The statement's text with every parameter $n as $(n + offset), to follow `offset` others. */
export function renumbered(text: string, offset: number): string {
  if (offset === 0) return text;
  // Every sign-in renumbers the same few texts (its session, trace and audit inserts): the
  // regular expression was 0.07 ms of a JWT sign-in's CPU in the profile (issue 20, part 4).
  const key = `${offset}\u0000${text}`;
  let result = renumberedTexts.get(key);
  if (result === undefined) {
    result = text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    // Our SQL is fixed strings, so the set is small; the bound only guards against a caller that is not.
    if (renumberedTexts.size < 1_000) renumberedTexts.set(key, result);
  }
  return result;
}
const renumberedTexts = new Map<string, string>();
