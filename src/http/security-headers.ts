import type { FastifyInstance } from 'fastify';

// No inline scripts or styles anywhere, so the policy can be strict: a markup injection
// that slipped past escaping still cannot run script or load anything from elsewhere.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    // A route may set a stricter-scoped policy of its own (the SAML POST-binding form allows
    // one script by hash); every other response gets the default.
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    // return_to values and SSO parameters must not leak to other sites through Referer.
    reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    void request;
  });
}
