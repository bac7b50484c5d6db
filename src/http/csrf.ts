import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { FrontdoorError } from '../core/errors.ts';
import { constantTimeEqual } from '../core/tokens.ts';
import { cookieOptions, csrfCookieName } from './cookies.ts';

// Signed double-submit (OWASP CSRF cheat sheet): a random HttpOnly cookie per browser, and
// forms carry HMAC(key, cookie). A cross-site page can neither read the cookie nor compute
// the HMAC; the key lives in the database, so any node can check a token another node issued.
// It also covers the sign-in form itself (login CSRF) since it needs no session.

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export class CsrfProtection {
  readonly #key: Buffer;
  readonly #config: Config;

  constructor(key: Buffer, config: Config) {
    this.#key = key;
    this.#config = config;
  }

  /** The token for this browser's forms; sets the cookie when it has none yet. */
  tokenFor(request: FastifyRequest, reply: FastifyReply): string {
    let secret = request.cookies[csrfCookieName(this.#config)];
    if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) {
      secret = randomBytes(32).toString('base64url');
      request.cookies[csrfCookieName(this.#config)] = secret;
      reply.setCookie(csrfCookieName(this.#config), secret, cookieOptions(this.#config, 60 * 60 * 24 * 365));
    }
    return this.#sign(secret);
  }

  /**
   * Throws `request.csrf_invalid` unless the form field or header carries this browser's token
   * and, defence in depth (OWASP CSRF cheat sheet, "Verifying origin with standard headers";
   * Fetch Metadata), the browser did not say the request came from another site: a foreign
   * `Origin` or `Sec-Fetch-Site: cross-site` is refused even with a good token (a token leaked
   * through a referrer, a log or a subdomain must not be enough). Requests without these headers
   * (older browsers, API clients) rely on the token alone. The protocol endpoints that must take
   * cross-site POSTs (SAML ACS and SLO, JWT, back-channel logout) do not call this.
   */
  verify(request: FastifyRequest): void {
    if (this.#crossSite(request)) {
      throw new FrontdoorError('request.csrf_invalid', 'This form did not come from this site. Go back, reload the page and try again.', { check: 'origin' });
    }
    const secret = request.cookies[csrfCookieName(this.#config)];
    const body = request.body as Record<string, unknown> | undefined;
    const fromForm = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
    const sent = typeof fromForm === 'string' ? fromForm : request.headers[CSRF_HEADER];
    if (!secret || typeof sent !== 'string' || !constantTimeEqual(sent, this.#sign(secret))) {
      throw new FrontdoorError(
        'request.csrf_invalid',
        'This form has expired or did not come from this site. Go back, reload the page and try again.',
      );
    }
  }

  #crossSite(request: FastifyRequest): boolean {
    if (request.headers['sec-fetch-site'] === 'cross-site') return true;
    const origin = request.headers.origin;
    if (origin === undefined) return false;
    // "null": an opaque origin (a sandboxed frame, a data: URL): never one of our pages.
    if (origin === 'null') return true;
    if (origin === this.#config.publicUrl.origin) return false;
    // The address the browser used, behind a proxy or on a test port: the Host it sent.
    try {
      return new URL(origin).host !== request.headers.host;
    } catch {
      return true;
    }
  }

  #sign(secret: string): string {
    return createHmac('sha256', this.#key).update(secret).digest('base64url');
  }
}
