import type { Queryable } from '../storage/database.ts';
import type { Usergroup } from './usergroups.ts';

// What deleting a usergroup takes with it, said before it is done (issue 18 part 4): its
// members lose what it granted, and an article that only it could read is left with no group,
// which makes it admins-only (articles.ts: no reader group, no reader).

export type UsergroupRemovalImpact = {
  members: number;
  /** Articles this group alone may read: admins-only once it is gone. */
  becomeAdminsOnly: { id: string; title: string }[];
  /** Articles other groups may read too: they only lose this group's members. */
  alsoReadByOthers: number;
};

export async function usergroupRemovalImpact(db: Queryable, group: Usergroup): Promise<UsergroupRemovalImpact> {
  const rows = await db.query<{ id: string; title: string; others: number }>(
    `SELECT a.id, a.title, (SELECT count(*)::int FROM article_usergroups o WHERE o.article_id = a.id AND o.usergroup_id <> $1) AS others
       FROM articles a JOIN article_usergroups au ON au.article_id = a.id AND au.usergroup_id = $1
      ORDER BY lower(a.title)`,
    [group.id],
  );
  return {
    members: group.memberCount,
    becomeAdminsOnly: rows.filter((r) => r.others === 0).map((r) => ({ id: r.id, title: r.title })),
    alsoReadByOthers: rows.filter((r) => r.others > 0).length,
  };
}
