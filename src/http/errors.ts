import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Audience } from '../core/audience.ts';
import { FrontdoorError, isFrontdoorError } from '../core/errors.ts';
import { primaryEmail } from '../core/people.ts';
import { t } from '../i18n/t.ts';
import type { HttpContext } from './context.ts';
import { errorPage, type PageChrome } from './pages/layout.ts';

/** Who the error page's header says is signed in (noteWhoIsSignedIn), per request. */
const headerOf = new WeakMap<FastifyRequest, { signedInAs: string; csrfToken: string; area?: PageChrome['area'] }>();

/**
 * Error pages show the signed-in header like every other page ("Sign in" to someone signed in
 * reads as "you were signed out"). Looked up for the page's audience only: the one given (an
 * SSO route knows its app's), else the app an /sso/:slug/ address names, else the area's. Never
 * after a server-side failure: the database may be what failed, and an error page must not wait on it.
 */
export async function noteWhoIsSignedIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, error: unknown, audience?: Audience): Promise<void> {
  if (wantsJson(request) || toFrontdoorError(error).status >= 500) return;
  try {
    const apps = audience ?? (await audienceOfSsoAddress(ctx, request.url));
    const who = await ctx.signedIn(request, apps ?? audienceOfPath(request.url));
    // An app's page is drawn in its audience's area, so "Your account" and Sign out are theirs.
    const area = apps && (apps === 'users' ? 'help-center' : 'agent');
    if (who) headerOf.set(request, { signedInAs: primaryEmail(who.person), csrfToken: ctx.csrf.tokenFor(request, reply), ...(area ? { area } : {}) });
  } catch {
    // The page is drawn without the header rather than not at all.
  }
}

const SSO_APP = /^\/sso\/([^/?]+)\//;

/** The audience of the app an /sso/:slug/ address names (an agent app's pages are the agents'). */
async function audienceOfSsoAddress(ctx: HttpContext, url: string): Promise<Audience | undefined> {
  const slug = SSO_APP.exec(url)?.[1];
  if (!slug || slug.length > 200) return undefined;
  try {
    return (await ctx.services.apps.find(decodeURIComponent(slug)))?.audience;
  } catch {
    return undefined;
  }
}

/** JSON for the API and health endpoints, a readable page for browser flows. */
export function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url.startsWith('/health/');
}

/** Whose pages an address shows: /admin and /agent are the agents' areas, everything else the Help Center. */
export function areaOf(url: string): PageChrome['area'] {
  if (/^\/admin(?:[/?#]|$)/.test(url)) return 'admin';
  if (/^\/agent(?:[/?#]|$)/.test(url)) return 'agent';
  return 'help-center';
}

/** The audience whose pages an address shows (the area's). */
export function audienceOfPath(url: string): Audience {
  return areaOf(url) === 'help-center' ? 'users' : 'agents';
}

const TITLED_STATUSES = [400, 401, 403, 404, 409, 410, 413, 429, 501, 503] as const;

/** The error page's title for a status, in the page's language. */
function titleOf(status: number): string {
  return (TITLED_STATUSES as readonly number[]).includes(status) ? t(`errorTitle.${status as (typeof TITLED_STATUSES)[number]}`) : t('errorTitle.other');
}

/** Turns any thrown error into the one error shape: stable code, human message, trace id. */
export function toFrontdoorError(error: unknown): FrontdoorError {
  if (isFrontdoorError(error)) return error;
  const e = error as FastifyError;
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new FrontdoorError('request.too_large', 'The request body is too large.', { check: 'body_size' });
  // Any other 4xx Fastify raises itself (bad content type, undecodable URL, a path parameter over
  // maxParamLength, which was a 500 once routed here) is a request we cannot read.
  const fastify4xx = e?.code?.startsWith?.('FST_') && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500;
  if (fastify4xx || e?.code?.startsWith?.('FST_ERR_CTP') || e?.code === 'FST_ERR_VALIDATION' || e?.statusCode === 400) {
    return new FrontdoorError('request.invalid', 'The request could not be read: check its content type and body.');
  }
  if (isDatabaseUnavailable(error)) {
    return new FrontdoorError('service.unavailable', 'The service is briefly unavailable. Please try again in a moment.');
  }
  return new FrontdoorError('internal', 'Something went wrong on our side. It has been logged.');
}

// SQLSTATE class 08 (connection exception) and 57P01-57P03 (admin shutdown, crash shutdown,
// cannot connect now), socket errors, and the code-less errors `pg` raises for a connection
// that dies under a query. Issue 9's fault test found the last kind: a query in flight when
// PostgreSQL stopped ("Connection terminated unexpectedly") answered 500 instead of 503.
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;
function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03'].includes(code)) return true;
  if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  return !code && error instanceof Error && PG_CONNECTION_LOST.test(error.message);
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  page: { traceId?: string | undefined; retryHref?: string | undefined; area?: PageChrome['area'] } = {},
): FastifyReply {
  const fd = toFrontdoorError(error);
  const header = headerOf.get(request);
  const traceId = page.traceId ?? (isFrontdoorError(error) ? error.traceId : undefined) ?? request.id;
  const log = { code: fd.code, status: fd.status, url: request.url.split('?')[0], method: request.method, traceId };
  if (fd.status >= 500) request.log.error({ ...log, err: error }, 'request failed');
  else request.log.warn(log, 'request refused');
  reply.code(fd.status);
  if (wantsJson(request)) {
    return reply.send({ error: { code: fd.code, message: fd.message, traceId, ...(fd.details && fd.status < 500 ? { details: fd.details } : {}) } });
  }
  return reply
    .type('text/html; charset=utf-8')
    .send(
      errorPage({
        title: titleOf(fd.status), message: fd.message, code: fd.code, traceId, retryHref: page.retryHref, help: helpFor(fd),
        ...header, area: page.area ?? header?.area ?? areaOf(request.url),
      }).value,
    );
}

/** Refusals a person fixes elsewhere first: where to go. */
function helpFor(error: FrontdoorError): { href: string; label: string } | undefined {
  if (error.code === 'sso.account_link_unproven') {
    return { href: error.details?.audience === 'agents' ? '/agent/password/forgot' : '/password/forgot', label: t('errorPage.resetExisting') };
  }
  return undefined;
}
