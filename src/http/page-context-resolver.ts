import type { FastifyReply, FastifyRequest } from 'fastify';
import { LANGUAGES, type Language } from '../core/languages.ts';
import { safeReturnTo } from '../core/return-to.ts';
import { matchAcceptLanguage } from '../i18n/accept-language.ts';
import { pageBrandOf } from './brand-page.ts';
import type { HttpContext } from './context.ts';
import { audienceOfPath } from './errors.ts';
import { LANGUAGE_COOKIE } from './cookies.ts';
import type { PageContext } from './page-context.ts';

// SSO round trips (callbacks, SAML ACS) render only their error pages and carry no session
// of ours worth a lookup: their language comes from the cookie and the header alone.
const NO_SESSION_LOOKUP = /^\/sso(?:\/|$)/;

/**
 * The language a page is written in (issue 18 part 7): the signed-in person's own setting,
 * then this browser's explicit choice (the `lang` cookie the language menu sets), then the
 * best Accept-Language range, then the helpdesk default. The Help Center speaks only the
 * languages the admin offers; the agent and admin consoles every language Frontdoor has.
 */
export function chooseLanguage(input: {
  person?: Language | null | undefined; cookie?: string | undefined; acceptLanguage?: string | undefined; offered: readonly Language[]; fallback: Language;
}): Language {
  const offered = (value: unknown): value is Language => typeof value === 'string' && input.offered.includes(value as Language);
  if (offered(input.person)) return input.person;
  if (offered(input.cookie)) return input.cookie;
  return matchAcceptLanguage(input.acceptLanguage, input.offered) ?? input.fallback;
}

/** The page context of one request: the reader's language, and the footer's language menu. */
export async function resolvePageContext(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
  const audience = audienceOfPath(request.url);
  const settings = await ctx.services.languages.settings();
  const offered = audience === 'users' ? settings.offered : LANGUAGES;
  // ctx.signedIn is memoised per request: the route's own check reuses this lookup.
  const signedIn = NO_SESSION_LOOKUP.test(request.url) ? undefined : await ctx.signedIn(request, audience);
  const language = chooseLanguage({
    person: signedIn?.person.language, cookie: request.cookies[LANGUAGE_COOKIE], acceptLanguage: request.headers['accept-language'],
    offered, fallback: settings.defaultLanguage,
  });
  return {
    language, brand: pageBrandOf(await ctx.services.brand.current()),
    languageMenu: { offered, csrfToken: () => ctx.csrf.tokenFor(request, reply), returnTo: menuReturnTo(request.url, ctx.services.config.publicUrl) } };
}

/**
 * The page the language menu comes back to: this one, with a `return_to` of its own kept only
 * if it is itself on this site. The menu's page must not echo an off-site address someone put
 * in a link (the sign-in page's return_to is checked where it is used; this is not that place).
 */
export function menuReturnTo(url: string, publicUrl: URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url, publicUrl.origin);
  } catch {
    return '/';
  }
  const inner = parsed.searchParams.get('return_to');
  if (inner !== null) {
    const safe = safeReturnTo(inner, publicUrl, '');
    if (safe) parsed.searchParams.set('return_to', safe);
    else parsed.searchParams.delete('return_to');
  }
  return safeReturnTo(`${parsed.pathname}${parsed.search}`, publicUrl, '/');
}
