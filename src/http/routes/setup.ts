import type { FastifyInstance, FastifyReply } from 'fastify';
import { FrontdoorError, isFrontdoorError } from '../../core/errors.ts';
import type { HttpContext } from '../context.ts';
import { setupDonePage, setupPage } from '../pages/setup.ts';

const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * `/setup?token=…`: the first admin, from the link the server prints while no admin exists
 * (core/first-run-setup.ts). Without the right token, or once an admin exists, it answers
 * `setup.token_invalid` (404) or `setup.complete` (410) and creates nothing.
 */
export function registerSetupRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const html = (reply: FastifyReply, status: number, page: { value: string }) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page.value);

  app.get<{ Querystring: { token?: string } }>('/setup', async (request, reply) => {
    await services.setup.check(request.query.token);
    return html(reply, 200, setupPage({ csrfToken: ctx.csrf.tokenFor(request, reply), token: request.query.token! }));
  });

  app.post('/setup', async (request, reply) => {
    ctx.csrf.verify(request);
    const token = field(request.body, 'token');
    const name = field(request.body, 'name') ?? '';
    const email = field(request.body, 'email') ?? '';
    const password = field(request.body, 'password') ?? '';
    try {
      if (!name || !email || !password) throw new FrontdoorError('request.invalid', 'Enter a name, an email and a password.');
      const person = await services.setup.createFirstAdmin(token, { name, email, password, ip: request.ip });
      request.log.info({ personId: person.id }, 'first admin created through the setup link');
      return html(reply, 201, setupDonePage({ email }));
    } catch (error) {
      // A wrong token or a finished setup is the error page; a bad field re-renders the form.
      if (!isFrontdoorError(error) || error.code.startsWith('setup.') || error.status >= 500) throw error;
      request.log.warn({ code: error.code }, 'first admin refused');
      return html(reply, error.status, setupPage({ csrfToken: ctx.csrf.tokenFor(request, reply), token: token ?? '', name, email, error: { code: error.code, message: error.message } }));
    }
  });
}
