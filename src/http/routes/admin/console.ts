import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Audience } from '../../../core/audience.ts';
import { recordAdminChange, type Actor, type AdminChange } from '../../../core/audit.ts';
import { FrontdoorError, isFrontdoorError } from '../../../core/errors.ts';
import { primaryEmail, type Person } from '../../../core/people.ts';
import type { Services } from '../../../core/services.ts';
import { redirectSeeOther, type HttpContext } from '../../context.ts';
import type { SafeHtml } from '../../html.ts';
import { CONSOLE_AUDIENCES, confirmPage, type Confirmation, type ConsoleFrame, type ViewState } from '../../pages/admin/blocks.ts';
import { isMessageKey, t } from '../../../i18n/t.ts';

// What every console section's routes share: who the admin is, the form as strings, and the
// two shapes of a route. Every change is a POST with a CSRF token that answers 303 to the page
// it changed (POST-redirect-GET); a refusal re-renders that page with the error's message,
// code and the fields at fault, and changes nothing (the core refuses before it writes).

export type Form = Record<string, string>;
/** `sessionId`: the admin's console session, which results shown only to it are bound to. */
export type Admin = { person: Person; actor: Actor; csrf: string; sessionId: string };
export type Render = (request: FastifyRequest, reply: FastifyReply, admin: Admin, state: ViewState) => Promise<SafeHtml>;

export const AudienceParam = z.enum(CONSOLE_AUDIENCES);
/** A list page's cursor (list-cursor.ts), as the console's own next links carry it; anything else starts at the first page. */
export const CursorParam = z.string().regex(/^[A-Za-z0-9_-]{1,400}$/).optional().catch(undefined);

/** Fixed texts for the notice after a redirect: the query names one, never free text. */
const NOTICES = new Set(['installed', 'saved', 'removed', 'automatic', 'sso_off', 'synced', 'sync_dry_run', 'sync_failed', 'created', 'renamed', 'revoked', 'approved', 'rejected', 'two_factor_removed', 'disabled', 'enabled', 'admin_on', 'admin_off', 'signed_out', 'reset_sent', 'reset_default', 'devices_forgotten']);
/** A notice's text, in the page's language (`console.notice.<name>`). */
const noticeText = (name: string): string | undefined => {
  const key = `console.notice.${name}`;
  return NOTICES.has(name) && isMessageKey(key) ? t(key) : undefined;
};

export function formOf(request: FastifyRequest): Form {
  const body = request.body;
  const form: Form = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string') form[key] = value;
      else if (Array.isArray(value)) form[key] = value.filter((v) => typeof v === 'string').join('\n');
    }
  }
  return form;
}

/** Checkbox groups: fastify/formbody gives one string or an array. */
export function listOf(request: FastifyRequest, name: string): string[] {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export const send = (reply: FastifyReply, status: number, page: SafeHtml) => reply.code(status).type('text/html; charset=utf-8').send(page.value);

export const frameOf = (admin: Admin, state: ViewState): ConsoleFrame => ({ csrf: admin.csrf, signedInAs: primaryEmail(admin.person), state });

/** A form route's own body limit, where its form may carry more than the server's (pasted SAML metadata). */
export type PostOptions = { bodyLimit?: number };

/** A section's view of the console: the routes it adds go through the admin check of index.ts. */
export type AdminConsole = {
  scope: FastifyInstance;
  ctx: HttpContext;
  services: Services;
  adminOf(request: FastifyRequest): Admin;
  /** A page: GET renders it with the notice the redirect named. */
  page(path: string, render: Render): void;
  /** A change: run it, then 303 to where it says; a refusal re-renders `render` with it. */
  action(path: string, render: Render, run: (request: FastifyRequest, admin: Admin, form: Form) => Promise<string>, options?: PostOptions): void;
  /** A POST whose answer is a page (a secret shown once, a test report); a refusal re-renders `render`. */
  answer(path: string, render: Render, run: (request: FastifyRequest, reply: FastifyReply, admin: Admin, form: Form) => Promise<FastifyReply>, options?: PostOptions): void;
  audited(admin: Admin, request: FastifyRequest, change: AdminChange, targetId: string | undefined): Promise<void>;
  /**
   * A destructive change: GET `path` says what it takes with it; the POST runs only with the
   * confirmation page's `confirm=yes`, and without it answers 303 to that page, changing nothing.
   */
  confirmed(path: string, describe: (request: FastifyRequest, admin: Admin) => Promise<Confirmation>, run: (request: FastifyRequest, admin: Admin, form: Form) => Promise<string>): void;
};

export function adminConsole(scope: FastifyInstance, ctx: HttpContext, adminOf: (request: FastifyRequest) => Admin): AdminConsole {
  const { services } = ctx;
  const noticeOf = (request: FastifyRequest) => noticeText((request.query as { notice?: string } | undefined)?.notice ?? '');
  const page: AdminConsole['page'] = (path, render) => {
    scope.get(path, async (request, reply) => send(reply, 200, await render(request, reply, adminOf(request), { notice: noticeOf(request) })));
  };
  const action: AdminConsole['action'] = (path, render, run, options = {}) => {
    scope.post(path, options, async (request, reply) => {
      const admin = adminOf(request);
      const form = formOf(request);
      try {
        return redirectSeeOther(reply, await run(request, admin, form));
      } catch (error) {
        if (!isFrontdoorError(error) || error.status >= 500 || error.code === 'request.csrf_invalid') throw error;
        return send(reply, error.status, await render(request, reply, admin, { error, values: form }));
      }
    });
  };
  return {
    scope, ctx, services, adminOf, page, action,
    confirmed(path, describe, run) {
      const here = (request: FastifyRequest) => request.url.split('?')[0]!;
      const render: Render = async (request, _reply, admin, state) => confirmPage(frameOf(admin, state), here(request), await describe(request, admin));
      page(path, render);
      action(path, render, async (request, admin, form) => (form.confirm === 'yes' ? run(request, admin, form) : here(request)));
    },
    answer(path, render, run, options = {}) {
      scope.post(path, options, async (request, reply) => {
        const admin = adminOf(request);
        const form = formOf(request);
        try {
          return await run(request, reply, admin, form);
        } catch (error) {
          if (!isFrontdoorError(error) || error.status >= 500) throw error;
          return send(reply, error.status, await render(request, reply, admin, { error, values: form }));
        }
      });
    },
    audited: (admin, request, change, targetId) => recordAdminChange(services.audit, change, admin.actor, request.ip, targetId),
  };
}

/** The audience in a console path (/admin/people/:audience); any other value is a 404. */
export function audienceParamOf(request: FastifyRequest): Audience {
  const parsed = AudienceParam.safeParse((request.params as { audience?: string }).audience);
  if (!parsed.success) throw new FrontdoorError('request.not_found', 'There is nothing at this address.');
  return parsed.data;
}
