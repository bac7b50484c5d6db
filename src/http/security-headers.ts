import type { FastifyInstance } from 'fastify';

// No inline scripts or styles anywhere, so the policy can be strict: a markup injection
// that slipped past escaping still cannot run script or load anything from elsewhere. The one
// script, the admin console's /assets/console.js, comes from our origin and talks only to it.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // return_to values and SSO parameters must not leak to other sites through Referer.
  'referrer-policy': 'same-origin',
  // Nothing is cacheable unless a route says so (the stylesheet does).
  'cache-control': 'no-store',
};

// Served over https, browsers are told to use nothing else for a year (RFC 6797), so a
// network attacker cannot strip TLS from a later visit. Not includeSubDomains: the helpdesk
// owner's other hosts are not ours to decide for.
const HSTS = { 'strict-transport-security': 'max-age=31536000' };

/** The headers every answer carries (HSTS too when served over https). */
export function securityHeaders(options: { https: boolean }): Readonly<Record<string, string>> {
  return options.https ? { ...SECURITY_HEADERS, ...HSTS } : SECURITY_HEADERS;
}

export function addSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  const headers = securityHeaders(options);
  // Set before the route runs (a route may still override cache-control): one synchronous
  // hook with a prebuilt object, since it runs on every request, forward-auth checks included.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
