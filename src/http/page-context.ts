import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_LANGUAGE, type Language } from '../core/languages.ts';
import type { SafeHtml } from './html.ts';

/**
 * What every page of one request is drawn with, whichever route or error handler draws it:
 * the reader's language (issue 18, part 7) and the helpdesk's brand (part 6). Pages are
 * functions of their data (src/http/pages/); rather than thread these through every one of them
 * and every error path, the request runs inside an AsyncLocalStorage holding its context.
 */
export type PageContext = {
  /** The language the page is written in (its `lang` attribute and messages). */
  language: Language;
  /** The helpdesk's brand as pages draw it; absent: the defaults (see layout.ts). */
  brand?: PageBrand | undefined;
  /** The footer's language menu: the languages to choose from, this browser's CSRF token, the page to come back to. */
  languageMenu?: LanguageMenu | undefined;
};

/** The brand as a page draws it (issue 18 part 6); the stored brand is src/core/brand.ts. */
export type PageBrand = {
  /** The helpdesk's name; null: each area's own ("Help Center", "Agent console"). */
  name: string | null;
  /** Plain text on the sign-in pages. */
  signInText: string | null;
  /** The logo's versioned address, or a data: URL in the console's preview; null: no logo. */
  logoSrc: string | null;
  /** The brand stylesheet, linked after frontdoor.css (the CSP forbids inline styles); null: the default colours. */
  stylesheetHref: string | null;
  /** The console's preview: a bar above the page that says so, with Save. */
  previewBar?: SafeHtml | undefined;
};

/** `csrfToken` is asked for only when a page draws the menu: an answer without a page (a redirect, JSON) sets no CSRF cookie. */
export type LanguageMenu = { offered: readonly Language[]; csrfToken: () => string; returnTo: string };

/** Outside a request (the CLI, a queued email, a refusal before the route's hooks ran). */
export const DEFAULT_PAGE_CONTEXT: PageContext = Object.freeze({ language: DEFAULT_LANGUAGE });

const storage = new AsyncLocalStorage<PageContext>();

/** The context of the request being answered, or the default outside one. */
export function currentPage(): PageContext {
  return storage.getStore() ?? DEFAULT_PAGE_CONTEXT;
}

/** Draws `draw` with another context: the console's preview of unsaved brand values. */
export function drawnWith<T>(page: PageContext, draw: () => T): T {
  return storage.run(page, draw);
}

export type PageContextResolver = (request: FastifyRequest, reply: FastifyReply) => Promise<PageContext>;

// Machine-facing paths render no page: resolving a context there would cost a lookup on the
// hottest routes (forward-auth checks, JWT sign-in bodies, SCIM, the admin API) for nothing.
// The logo and brand.css read the brand from its own cache.
const NO_PAGES = /^\/(?:api|scim|health|assets|brand|brand\.css)(?:[/?]|$)/;

/**
 * Runs each request's handler, and whatever error or not-found handler it ends in, inside its
 * page context. The hook is preHandler, not onRequest: the body parser reads the socket's data
 * events, which would leave the context behind; preHandler runs after parsing and calls the
 * handler synchronously from `done`, so everything the handler awaits keeps the context.
 * A refusal before preHandler (a malformed body, a NUL character) is drawn with the default.
 */
export function registerPageContext(app: FastifyInstance, resolve: PageContextResolver): void {
  app.addHook('preHandler', (request, reply, done) => {
    if (NO_PAGES.test(request.url)) return done();
    resolve(request, reply).then(
      (page) => storage.run(page, done),
      // Failing to read a setting must not fail the page: draw it with the defaults.
      (error: unknown) => {
        request.log.warn({ err: error }, 'page context could not be resolved; using the defaults');
        storage.run(DEFAULT_PAGE_CONTEXT, done);
      },
    );
  });
}
