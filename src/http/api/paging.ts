import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** The query parameters of every paged list: how many, and where the page starts. */
export const PagingQuery = {
  /** The `next` of the page before; opaque (list-cursor.ts). */
  after: z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'the next link of a page').optional(),
};

/**
 * The link to the page after this one: the same request with `after` set to the cursor
 * (relative, so it holds behind any proxy), or null on the last page. Also sent as an
 * RFC 8288 `Link: <...>; rel="next"` header, as GitHub's and most paged APIs do.
 */
export function nextLink(request: FastifyRequest, reply: FastifyReply, cursor: string | null): string | null {
  if (!cursor) return null;
  const url = new URL(request.url, 'http://frontdoor.invalid');
  url.searchParams.delete('before');
  url.searchParams.set('after', cursor);
  const link = `${url.pathname}${url.search}`;
  reply.header('link', `<${link}>; rel="next"`);
  return link;
}
