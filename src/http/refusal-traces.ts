import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../core/apps.ts';
import { isFrontdoorError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import { newTraceId } from '../core/sso-traces.ts';
import { sendError, toFrontdoorError, wantsJson } from './errors.ts';
import type { PageChrome } from './pages/layout.ts';

// The error pages of single sign-on and signing out: every trace id they show is an SSO
// trace (`/api/v1/sso-traces/:id`), the one place an admin looks for why a sign-in or a
// sign-out failed. Sign-in attempts have theirs from the start (ExternalSignIn); the pages
// answered before or outside an attempt get one here. Other pages show the request id,
// which their log line carries.
const SSO_PAGE = /^\/(sso\/|logout$|agent\/logout$)/;
const SSO_APP = /^\/sso\/([^/?]+)\//;

type PageOptions = { retryHref?: string | undefined; area?: PageChrome['area'] };

/**
 * Sends the error page, first recording an SSO trace for it when it is an SSO or sign-out
 * page whose error carries none yet (or when `app` says which app it is about). A trace that
 * cannot be written (the database is away) leaves the request id on the page, as elsewhere.
 */
export async function sendTracedError(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  page: PageOptions & { app?: AuthApp | undefined } = {},
): Promise<FastifyReply> {
  const { app, ...pageOptions } = page;
  const existing = (error as { traceId?: unknown } | null)?.traceId;
  const path = request.url.split('?')[0] ?? '';
  if (typeof existing === 'string' || wantsJson(request) || (!app && !SSO_PAGE.test(path))) return sendError(request, reply, error, pageOptions);
  const fd = toFrontdoorError(error);
  // Refusals that protect the service (the brute-force throttle, the database away) write nothing more.
  if (fd.code === 'auth.throttled' || fd.status === 503) return sendError(request, reply, error, pageOptions);
  const traceId = newTraceId();
  try {
    const found = app ?? (await appNamedBy(services, path));
    await services.ssoTraces.recordRefusal(
      { id: traceId, appId: found?.id ?? null, audience: found?.audience ?? (path.startsWith('/agent') ? 'agents' : 'users'), ip: request.ip },
      {
        errorCode: fd.code,
        failedCheck: fd.failedCheck ?? fd.code,
        detail: fd.internalDetail ?? (isFrontdoorError(error) ? fd.message : undefined),
      },
    );
  } catch (traceError) {
    request.log.warn({ err: traceError, code: fd.code }, 'could not record the trace of an SSO error page');
    return sendError(request, reply, error, pageOptions);
  }
  return sendError(request, reply, error, { ...pageOptions, traceId });
}

async function appNamedBy(services: Services, path: string): Promise<AuthApp | undefined> {
  const slug = SSO_APP.exec(path)?.[1];
  if (!slug || slug.length > 200) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(slug);
  } catch {
    return undefined;
  }
  return (await services.apps.find(decoded)) ?? undefined;
}
