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
  return text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}
