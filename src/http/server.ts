import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import pino from 'pino';
import { FrontdoorError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import { registerAdminApi } from './api/index.ts';
import { createHttpContext } from './context.ts';
import { noteWhoIsSignedIn, sendError, toFrontdoorError } from './errors.ts';
import { discardRequestBody } from './oversized-body.ts';
import { sendTracedError } from './refusal-traces.ts';
import { registerAccountRoutes } from './routes/account/index.ts';
import { registerAdminConsoleRoutes } from './routes/admin/index.ts';
import { registerScimRoutes } from './routes/scim.ts';
import { registerAgentRoutes } from './routes/agent.ts';
import { registerAssetRoutes } from './routes/assets.ts';
import { registerBrandRoutes } from './routes/brand.ts';
import { registerForwardAuthRoutes } from './routes/forward-auth.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerHelpCenterRoutes } from './routes/help-center.ts';
import { registerLanguageRoutes } from './routes/language.ts';
import { registerSignInRoutes } from './routes/sign-in.ts';
import { registerSsoRoutes } from './routes/sso.ts';
import { registerSetupRoutes } from './routes/setup.ts';
import { OneLinePerRequest } from './access-log.ts';
import { createForwardAuthFastPath } from './forward-auth-fast-path.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { registerPageContext } from './page-context.ts';
import { resolvePageContext } from './page-context-resolver.ts';

// Sign-in forms and admin API bodies are small; a tight limit is the cheapest defence
// against memory exhaustion. SAML responses (issue 4) get their own, larger route limit.
const BODY_LIMIT_BYTES = 64 * 1024;
/** Receiving a whole request (headers and body) may take this long: slow-body clients are cut off. */
export const REQUEST_TIMEOUT_MS = 30_000;
/**
 * An idle keep-alive connection stays open this long: longer than the clients and proxies in
 * front keep theirs (nginx's upstream keepalive_timeout and AWS ALB's idle timeout: 60 s), so
 * that the server is never the one closing a connection a client is just reusing. That race
 * answers the client with a reset (a proxy's 502, fetch's "fetch failed"): with Node's 5 s it
 * dropped requests of a burst on a busy machine (test/security/concurrency.test.ts).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export type ServerOptions = {
  /** pino options, or false for no logs (tests). */
  logger?: boolean | Record<string, unknown>;
  /** Tests only: app slug -> issuer, to point a preset (Google) at a loopback provider. Never from config. */
  oidcPresetIssuers?: ReadonlyMap<string, string>;
};

export async function buildServer(services: Services, options: ServerOptions = {}): Promise<FastifyInstance> {
  // Logs to stdout without a write per line: lines written while a write is under way are
  // joined into the next one (pino flushes what is left when the process exits).
  const logger = options.logger ?? { level: services.config.logLevel, stream: pino.destination({ dest: 1, sync: false }) };
  const fastPath = createForwardAuthFastPath(services);
  const app = Fastify({
    // Forward auth's everyday answer is given before Fastify (see forward-auth-fast-path.ts);
    // every other request, and every refusal, is Fastify's.
    // Fastify's requestTimeout and keepAliveTimeout options apply only to a server it creates
    // itself, so they are set here; without this Node's defaults ruled (5 s keep-alive, 300 s
    // request time) while docs/SECURITY.md promised 30 s.
    serverFactory: (handler) => {
      const server = createServer((request, response) => {
        if (!fastPath(request, response)) handler(request, response);
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      return server;
    },
    logger: typeof logger === 'object' ? { serializers: { req: serializeRequest }, ...logger } : logger,
    genReqId: requestIds(),
    // One line per request instead of two: see access-log.ts.
    logController: new OneLinePerRequest(),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    // A path Fastify cannot decode (`/%E0%A4%A`) or other router-level refusals: answer with
    // our one error shape (issue 9 found Fastify's own JSON body here), never a stack or 5xx.
    frameworkErrors: (error, request, reply) => sendError(request, reply, error),
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  addSecurityHeaders(app, { https: services.config.secureCookies });
  refuseNulCharacters(app);
  // SSO and sign-out error pages get a trace an admin can read (refusal-traces.ts), also for a
  // refusal before an SSO route's own code ran (a body too large for the ACS, issue 14).
  const ctx = createHttpContext(services, { oidcPresetIssuers: options.oidcPresetIssuers });
  registerPageContext(app, (request, reply) => resolvePageContext(ctx, request, reply));
  app.setErrorHandler(async (error, request, reply) => {
    if (toFrontdoorError(error).code === 'request.too_large') await discardRequestBody(request.raw);
    await noteWhoIsSignedIn(ctx, request, reply, error);
    return sendTracedError(services, request, reply, error);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const notFound = new FrontdoorError('request.not_found', 'There is nothing at this address.');
    await noteWhoIsSignedIn(ctx, request, reply, notFound);
    return sendTracedError(services, request, reply, notFound);
  });

  registerAssetRoutes(app);
  registerBrandRoutes(app, ctx);
  registerHealthRoutes(app, ctx);
  registerHelpCenterRoutes(app, ctx);
  registerSignInRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerAgentRoutes(app, ctx);
  registerAdminConsoleRoutes(app, ctx);
  registerSsoRoutes(app, ctx);
  registerSetupRoutes(app, ctx);
  registerLanguageRoutes(app, ctx);
  registerForwardAuthRoutes(app, ctx);
  registerAdminApi(app, ctx);
  registerScimRoutes(app, ctx);
  return app;
}

// A JWT sign-in may arrive as GET /sso/:app/jwt?jwt=...: the token must not land in the logs.
function serializeRequest(request: FastifyRequest) {
  return { method: request.method, url: request.url.replace(/([?&](?:jwt|token)=)[^&#]*/gi, '$1[redacted]'), host: request.host, remoteAddress: request.ip };
}

/**
 * Request ids (shown as the trace id of a refusal, and in the logs): a random prefix per
 * process and a counter, unique across nodes without a random draw per request (which cost
 * more than the whole session check on the forward-auth path).
 */
function requestIds(): () => string {
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  return () => `${prefix}${(counter++).toString(36).padStart(6, '0')}`;
}

// PostgreSQL text cannot hold U+0000: a NUL in a form field, JSON string or query value reached
// the database and failed there with a 500 (found by issue 9's attack suite on /login). No
// legitimate email, name, password or token contains one, so refuse it up front, for every route.
function refuseNulCharacters(app: FastifyInstance): void {
  const hasNul = (value: unknown, depth = 0): boolean => {
    if (typeof value === 'string') return value.includes('\u0000');
    if (depth > 20 || value === null || typeof value !== 'object') return false;
    return Object.entries(value).some(([key, v]) => key.includes('\u0000') || hasNul(v, depth + 1));
  };
  app.addHook('preValidation', async (request) => {
    if (hasNul(request.query) || hasNul(request.params) || hasNul(request.body)) {
      throw new FrontdoorError('request.invalid', 'The request contains a NUL character, which no field may hold.');
    }
  });
}

