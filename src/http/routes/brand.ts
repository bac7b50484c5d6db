import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../core/errors.ts';
import { BRAND_LOGO_PATH, BRAND_STYLESHEET_PATH } from '../brand-page.ts';
import { brandStylesheet } from '../brand-stylesheet.ts';
import type { HttpContext } from '../context.ts';

// The brand's logo and stylesheet, from the per-process brand cache (no database read per
// request beyond it). Addressed with ?v=<version>: that exact version may be kept for a year;
// any other (an old page's) is answered with the current one, kept briefly.

const YEAR = 'public, max-age=31536000, immutable';
const BRIEFLY = 'public, max-age=60';

// The logo is an admin's upload served from our origin: it must never be taken for a page.
// Its type is the one sniffed at upload (brand-logo.ts), nosniff stops browsers guessing
// another, and opened on its own it runs in a sandbox with nothing allowed.
const LOGO_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'content-disposition': 'inline',
  'cross-origin-resource-policy': 'same-origin',
};

const isVersion = (request: FastifyRequest, version: number) => (request.query as { v?: string } | undefined)?.v === String(version);
const cacheFor = (request: FastifyRequest, reply: FastifyReply, version: number) => reply.header('cache-control', isVersion(request, version) ? YEAR : BRIEFLY);

export function registerBrandRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get(BRAND_LOGO_PATH, async (request, reply) => {
    const brand = await ctx.services.brand.current();
    if (!brand.logo) throw new FrontdoorError('request.not_found', 'No logo is set.');
    cacheFor(request, reply, brand.version);
    return reply.headers(LOGO_HEADERS).type(brand.logo.contentType).send(brand.logo.bytes);
  });

  app.get(BRAND_STYLESHEET_PATH, async (request, reply) => {
    const brand = await ctx.services.brand.current();
    cacheFor(request, reply, brand.version);
    return reply.type('text/css; charset=utf-8').send(brandStylesheet(brand.color));
  });
}
