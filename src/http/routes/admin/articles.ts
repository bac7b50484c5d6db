import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminChange } from '../../../core/audit.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { parseInput } from '../../../core/validation.ts';
import { articleFormPage, articlesPage } from '../../pages/admin/articles.ts';
import { frameOf, listOf, type AdminConsole, type Form, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// Help Center articles: create, edit, delete, and the usergroups that may read each.

const articleAudit = (action: string): AdminChange => ({ action, targetType: 'article', audience: 'users' });
const ArticleInput = z.object({ title: z.string().trim().min(1).max(300), body: z.string().max(200_000), usergroupIds: z.array(z.uuid()) });
const articleInput = (request: FastifyRequest, form: Form) =>
  parseInput(ArticleInput, { title: form.title ?? '', body: form.body ?? '', usergroupIds: listOf(request, 'usergroupIds') });

export function registerArticleRoutes({ services, page, action, audited, confirmed }: AdminConsole): void {
  page('/admin/articles', async (_request, _reply, admin, state) => {
    const [articles, groups] = await Promise.all([services.articles.list(), services.usergroups.list()]);
    return articlesPage(frameOf(admin, state), articles, groups);
  });

  const articleForm: Render = async (request, _reply, admin, state) => {
    const id = (request.params as { id?: string }).id;
    const article = id ? await services.articles.get(id) : undefined;
    if (id && !article) throw new FrontdoorError('article.not_found', 'No such article.');
    return articleFormPage(frameOf(admin, state), article, await services.usergroups.list());
  };
  const articleOf = async (request: FastifyRequest) => {
    const article = await services.articles.get((request.params as { id: string }).id);
    if (!article) throw new FrontdoorError('article.not_found', 'No such article.');
    return article;
  };
  const existing = async (request: FastifyRequest) => (await articleOf(request)).id;
  page('/admin/articles/new', articleForm);
  page('/admin/articles/:id', articleForm);
  action('/admin/articles', articleForm, async (request, admin, form) => {
    const article = await services.articles.create(articleInput(request, form));
    await audited(admin, request, articleAudit('article.created'), article.id);
    return `/admin/articles/${article.id}?notice=created`;
  });
  action('/admin/articles/:id', articleForm, async (request, admin, form) => {
    const id = await existing(request);
    await services.articles.update(id, articleInput(request, form));
    await audited(admin, request, articleAudit('article.updated'), id);
    return `/admin/articles/${id}?notice=saved`;
  });
  confirmed('/admin/articles/:id/remove', async (request) => {
    const article = await articleOf(request);
    return { section: 'articles', title: t('console.confirm.articleTitle', { title: article.title }), button: t('console.confirm.articleButton'), cancel: `/admin/articles/${article.id}`, takes: [t('console.confirm.articleTakes')] };
  }, async (request, admin) => {
    const id = await existing(request);
    await services.articles.remove(id);
    await audited(admin, request, articleAudit('article.removed'), id);
    return '/admin/articles?notice=removed';
  });
}
