import type { FastifyInstance } from 'fastify';
import { FrontdoorError } from '../../core/errors.ts';
import { LANGUAGES, type Language } from '../../core/languages.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import { t } from '../../i18n/t.ts';
import { redirectSeeOther, type HttpContext } from '../context.ts';
import { cookieOptions, LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE_SECONDS } from '../cookies.ts';
import { html } from '../html.ts';
import { audienceOfPath } from '../errors.ts';
import { layout } from '../pages/layout.ts';
import { field } from './account/doors.ts';

// The footer's language menu (issue 18 part 7): POST /language with the language and the page
// it was on; 303 back there (POST-redirect-GET). The choice is a year-long `lang` cookie, and,
// for someone signed in to that page's audience, their own setting too (which would otherwise
// outrank the cookie and make the menu seem to do nothing).

export function registerLanguageRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;

  app.post('/language', async (request, reply) => {
    ctx.csrf.verify(request);
    // The return path is checked like every other (return-to.ts): never another site.
    const returnTo = safeReturnTo(field(request.body, 'return_to'), services.config.publicUrl, '/');
    const audience = audienceOfPath(returnTo);
    const offered: readonly Language[] = audience === 'users' ? (await services.languages.settings()).offered : LANGUAGES;
    const chosen = field(request.body, 'lang');
    const language = offered.find((l) => l === chosen);
    if (!language) {
      throw new FrontdoorError('request.invalid', 'This language is not offered here.', { fields: [{ field: 'lang', problem: 'not a language offered' }] });
    }
    reply.setCookie(LANGUAGE_COOKIE, language, cookieOptions(services.config, LANGUAGE_COOKIE_MAX_AGE_SECONDS));
    const signedIn = await ctx.signedIn(request, audience);
    if (signedIn) await services.people.setLanguage(signedIn.person.id, audience, language);
    return redirectSeeOther(reply, returnTo);
  });

  // The menu's address opened on its own (typed, bookmarked): the footer's menu, on a page of its own.
  app.get('/language', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(layout({ title: t('languageMenu.heading'), area: 'help-center' }, html`<h1>${t('languageMenu.heading')}</h1>`).value),
  );
}
