import { z } from 'zod';
import type { Database, Queryable } from '../storage/database.ts';
import { FrontdoorError } from './errors.ts';

export type Article = { id: string; title: string; body: string; usergroupIds: string[]; createdAt: string; updatedAt: string };

/** Who is looking: an anonymous visitor, or a signed-in User with their custom groups. */
export type Reader = { signedIn: false } | { signedIn: true; usergroupIds: string[] };

export const ArticleInputSchema = z.object({
  title: z.string().trim().min(1).max(300),
  body: z.string().max(200_000),
  usergroupIds: z.array(z.uuid()).default([]),
});
export type ArticleInput = z.infer<typeof ArticleInputSchema>;
/** A change names only what changes: no defaults, so leaving out the readers keeps them. */
export const ArticleChangesSchema = z.object({
  title: ArticleInputSchema.shape.title.optional(),
  body: ArticleInputSchema.shape.body.optional(),
  usergroupIds: z.array(z.uuid()).optional(),
});

type ArticleRow = { id: string; title: string; body: string; usergroup_ids: string[]; created_at: Date; updated_at: Date };

const SELECT_ARTICLES = `
  SELECT a.id, a.title, a.body, a.created_at, a.updated_at,
         COALESCE(array_agg(au.usergroup_id::text) FILTER (WHERE au.usergroup_id IS NOT NULL), '{}') AS usergroup_ids
    FROM articles a LEFT JOIN article_usergroups au ON au.article_id = a.id`;

export class Articles {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  /** Whether there is any article at all (the welcome notes ask for a first one until there is). */
  async exist(): Promise<boolean> {
    return (await this.#db.query('SELECT 1 FROM articles LIMIT 1')).length > 0;
  }

  /** Everything, for admins. */
  async list(): Promise<Article[]> {
    const rows = await this.#db.query<ArticleRow>(`${SELECT_ARTICLES} GROUP BY a.id ORDER BY a.created_at, a.id`);
    return rows.map(toArticle);
  }

  async get(id: string): Promise<Article | undefined> {
    if (!z.uuid().safeParse(id).success) return undefined;
    const rows = await this.#db.query<ArticleRow>(`${SELECT_ARTICLES} WHERE a.id = $1 GROUP BY a.id`, [id]);
    return rows[0] && toArticle(rows[0]);
  }

  /**
   * The articles a reader may see. Anonymous visitors get what Everyone grants; signed-in
   * Users what Everyone, Registered and their own groups grant.
   */
  async visibleTo(reader: Reader): Promise<Article[]> {
    const rows = await this.#db.query<ArticleRow>(
      `${SELECT_ARTICLES}
        WHERE EXISTS (SELECT 1 FROM article_usergroups g JOIN usergroups ug ON ug.id = g.usergroup_id
                       WHERE g.article_id = a.id AND ${readableClause(reader)})
        GROUP BY a.id ORDER BY a.created_at, a.id`,
      reader.signedIn ? [reader.usergroupIds] : [],
    );
    return rows.map(toArticle);
  }

  async readableBy(id: string, reader: Reader): Promise<Article | undefined> {
    const article = await this.get(id);
    if (!article) return undefined;
    const rows = await this.#db.query(
      `SELECT 1 FROM article_usergroups g JOIN usergroups ug ON ug.id = g.usergroup_id WHERE g.article_id = $${reader.signedIn ? 2 : 1} AND ${readableClause(reader)}`,
      reader.signedIn ? [reader.usergroupIds, id] : [id],
    );
    return rows.length > 0 ? article : undefined;
  }

  async create(input: ArticleInput): Promise<Article> {
    const id = await this.#db.transaction(async (q) => {
      const [row] = await q.query<{ id: string }>('INSERT INTO articles (title, body) VALUES ($1, $2) RETURNING id', [input.title, input.body]);
      await setGrants(q, row!.id, input.usergroupIds);
      return row!.id;
    });
    return (await this.get(id))!;
  }

  async update(id: string, input: Partial<ArticleInput>): Promise<Article> {
    await this.#db.transaction(async (q) => {
      const rows = await q.query(
        'UPDATE articles SET title = COALESCE($2, title), body = COALESCE($3, body), updated_at = now() WHERE id = $1 RETURNING id',
        [id, input.title ?? null, input.body ?? null],
      );
      if (rows.length === 0) throw new FrontdoorError('article.not_found', 'No such article.');
      if (input.usergroupIds) await setGrants(q, id, input.usergroupIds);
    });
    return (await this.get(id))!;
  }

  async remove(id: string): Promise<void> {
    const rows = await this.#db.query('DELETE FROM articles WHERE id = $1 RETURNING id', [id]);
    if (rows.length === 0) throw new FrontdoorError('article.not_found', 'No such article.');
  }
}

function readableClause(reader: Reader): string {
  return reader.signedIn
    ? "(ug.system IN ('everyone', 'registered') OR ug.id = ANY($1::uuid[]))"
    : "ug.system = 'everyone'";
}

async function setGrants(q: Queryable, articleId: string, usergroupIds: string[]): Promise<void> {
  const unique = [...new Set(usergroupIds)];
  const found = await q.query('SELECT id FROM usergroups WHERE id = ANY($1::uuid[])', [unique]);
  if (found.length !== unique.length) throw new FrontdoorError('usergroup.not_found', 'A usergroup does not exist.');
  await q.query('DELETE FROM article_usergroups WHERE article_id = $1', [articleId]);
  for (const groupId of unique) {
    await q.query('INSERT INTO article_usergroups (article_id, usergroup_id) VALUES ($1, $2)', [articleId, groupId]);
  }
}

function toArticle(row: ArticleRow): Article {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    usergroupIds: row.usergroup_ids,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
