import { z } from 'zod';
import { ArticleChangesSchema, ArticleInputSchema } from '../../core/articles.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { NameSchema } from '../../core/validation.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';
import { IdParams } from './people.ts';

/** Usergroups and the Help Center articles they gate. */
export function registerContentRoutes(api: AdminApi, ctx: HttpContext): void {
  const { usergroups, articles } = ctx.services;
  const groupAudit = (action: string) => ({ action, targetType: 'usergroup', audience: 'users' as const });
  const articleAudit = (action: string) => ({ action, targetType: 'article', audience: 'users' as const });

  api.route({
    method: 'GET', path: '/api/v1/usergroups', tag: 'usergroups', summary: 'Usergroups: Everyone, Registered and custom ones, with member counts',
    handler: async () => ({ usergroups: await usergroups.list() }),
  });
  api.route({
    method: 'POST', path: '/api/v1/usergroups', tag: 'usergroups', status: 201, summary: 'Create a custom usergroup',
    body: z.object({ name: NameSchema.max(100) }).strict(),
    audit: groupAudit('usergroup.created'),
    handler: async ({ body }) => ({ usergroup: await usergroups.create(body.name) }),
  });
  api.route({
    method: 'PATCH', path: '/api/v1/usergroups/:id', tag: 'usergroups', summary: 'Rename a custom usergroup (built-in ones cannot be)',
    params: IdParams,
    body: z.object({ name: NameSchema.max(100) }).strict(),
    audit: groupAudit('usergroup.renamed'),
    handler: async ({ params, body }) => ({ usergroup: await usergroups.rename(params.id, body.name) }),
  });
  api.route({
    method: 'DELETE', path: '/api/v1/usergroups/:id', tag: 'usergroups', status: 204,
    summary: 'Remove a custom usergroup; its members and articles lose it',
    params: IdParams,
    audit: groupAudit('usergroup.removed'),
    handler: async ({ params }) => usergroups.remove(params.id),
  });

  api.route({
    method: 'GET', path: '/api/v1/articles', tag: 'articles', summary: 'Every Help Center article, with the usergroups that may read it',
    handler: async () => ({ articles: await articles.list() }),
  });
  api.route({
    method: 'POST', path: '/api/v1/articles', tag: 'articles', status: 201,
    summary: 'Create an article; usergroupIds are the groups that may read it (Everyone for anonymous visitors)',
    body: ArticleInputSchema.strict(),
    audit: articleAudit('article.created'),
    handler: async ({ body }) => ({ article: await articles.create(body) }),
  });
  api.route({
    method: 'GET', path: '/api/v1/articles/:id', tag: 'articles', summary: 'One article',
    params: IdParams,
    handler: async ({ params }) => {
      const article = await articles.get(params.id);
      if (!article) throw new FrontdoorError('article.not_found', 'No such article.');
      return { article };
    },
  });
  api.route({
    method: 'PATCH', path: '/api/v1/articles/:id', tag: 'articles', summary: 'Change an article\'s title, body or readers',
    params: IdParams,
    body: ArticleChangesSchema.strict(),
    audit: articleAudit('article.updated'),
    handler: async ({ params, body }) => ({ article: await articles.update(params.id, body) }),
  });
  api.route({
    method: 'DELETE', path: '/api/v1/articles/:id', tag: 'articles', status: 204, summary: 'Remove an article',
    params: IdParams,
    audit: articleAudit('article.removed'),
    handler: async ({ params }) => articles.remove(params.id),
  });
}
