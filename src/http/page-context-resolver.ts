import type { FastifyRequest } from 'fastify';
import { pageBrandOf } from './brand-page.ts';
import type { HttpContext } from './context.ts';
import { DEFAULT_PAGE_CONTEXT, type PageContext } from './page-context.ts';

/** The page context of one request: the reader's language and the helpdesk's brand. */
export async function resolvePageContext(ctx: HttpContext, _request: FastifyRequest): Promise<PageContext> {
  return { ...DEFAULT_PAGE_CONTEXT, brand: pageBrandOf(await ctx.services.brand.current()) };
}
