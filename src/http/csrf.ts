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

  /** Throws `request.csrf_invalid` unless the form field or header carries this browser's token. */
  verify(request: FastifyRequest): void {
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

  #sign(secret: string): string {
    return createHmac('sha256', this.#key).update(secret).digest('base64url');
  }
}
