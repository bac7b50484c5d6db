/**
 * A statement that begins with this comment is planned each time with its values, never
 * prepared: a list whose best plan depends on them (a search string that is rare or common, an
 * action prefix). Prepared, PostgreSQL may switch to a generic plan after five runs, one made
 * without the values: for `name ILIKE $1` it cannot tell a rare string from a common one and
 * walked every person for a rare one (230-280 ms on 20,000 people, against 5-15 ms planned
 * with the string). Both drivers honour it: PGlite's statement cache (pglite-prepared.ts) and, on a
 * PostgreSQL server, `preparedName` in database.ts, which sends such a statement unnamed.
 */
export const PLAN_WITH_VALUES = '/* planned with its values */ ';
