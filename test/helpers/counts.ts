import type { Queryable } from '../../src/storage/database.ts';

/** Row counts of the tables a refused request must not touch. */
export async function accountCounts(db: Queryable): Promise<{ people: number; emails: number; identities: number; sessions: number }> {
  const [row] = await db.query<{ people: number; emails: number; identities: number; sessions: number }>(
    `SELECT (SELECT count(*)::int FROM people) AS people, (SELECT count(*)::int FROM person_emails) AS emails,
            (SELECT count(*)::int FROM identities) AS identities, (SELECT count(*)::int FROM sessions) AS sessions`,
  );
  return row!;
}
