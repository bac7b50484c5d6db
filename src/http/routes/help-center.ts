import { t } from '../../i18n/t.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Reader } from '../../core/articles.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { primaryEmail } from '../../core/people.ts';
import type { HttpContext } from '../context.ts';
import { articlePage, homePage } from '../pages/help-center.ts';
import type { PageChrome } from '../pages/layout.ts';

type Visitor = { reader: Reader; chrome: PageChrome };

/**
 * Who is reading the Help Center, or undefined after answering with a redirect to sign-in.
 * With an Automatic app on Users, no anonymous visitor reads anything: the Everyone grants
 * do not apply to them (invariant 3), they are sent to the identity service instead.
 */
async function visitorOrRedirect(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, title: string): Promise<Visitor | undefined> {
  const signedIn = await ctx.signedIn(request, 'users');
  if (signedIn) {
    return {
      reader: { signedIn: true, usergroupIds: signedIn.person.usergroups.map((g) => g.id) },
      chrome: { title, area: 'help-center', signedInAs: primaryEmail(signedIn.person), csrfToken: ctx.csrf.tokenFor(request, reply) },
    };
  }
  const automatic = await ctx.services.apps.automaticApp('users');
  if (automatic) {
    reply.redirect(`/sso/${automatic.slug}/start?return_to=${encodeURIComponent(request.url)}`, 302);
    return undefined;
  }
  // "Require registration", or the Everyone usergroup switched off: nothing is public.
  if (!(await ctx.services.registration.anonymousReadingAllowed())) {
    reply.redirect(`/login${request.url === '/' ? '' : `?return_to=${encodeURIComponent(request.url)}`}`, 302);
    return undefined;
  }
  return { reader: { signedIn: false }, chrome: { title, area: 'help-center' } };
}

export function registerHelpCenterRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/', async (request, reply) => {
    const visitor = await visitorOrRedirect(ctx, request, reply, t('area.helpCenter'));
    if (!visitor) return reply;
    const articles = await ctx.services.articles.visibleTo(visitor.reader);
    const firstVisit = articles.length === 0 && !(await ctx.services.articles.exist());
    return reply.type('text/html; charset=utf-8').send(homePage(visitor.chrome, articles, firstVisit).value);
  });

  app.get<{ Params: { id: string } }>('/articles/:id', async (request, reply) => {
    const visitor = await visitorOrRedirect(ctx, request, reply, t('help.article'));
    if (!visitor) return reply;
    const article = await ctx.services.articles.readableBy(request.params.id, visitor.reader);
    if (article) {
      return reply.type('text/html; charset=utf-8').send(articlePage({ ...visitor.chrome, title: article.title }, article).value);
    }
    // An anonymous visitor may see more after signing in: send them there and back.
    if (!visitor.reader.signedIn && (await ctx.services.articles.get(request.params.id))) {
      return reply.redirect(`/login?return_to=${encodeURIComponent(request.url)}`, 302);
    }
    // Signed in and not allowed, or no such article: the same answer, so ids reveal nothing.
    throw new FrontdoorError('article.not_found', 'There is no such article, or you may not read it.');
  });
}
