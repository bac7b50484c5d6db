import { z } from 'zod';
import { AudienceSchema } from '../../core/audience.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { LanguageSettingsChangesSchema } from '../../core/language-settings.ts';
import { RegistrationSettingsChangesSchema } from '../../core/registration.ts';
import { SessionPolicyChangesSchema } from '../../core/session-policy.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';
import { nextLink, PagingQuery } from './paging.ts';
import { IdParams } from './people.ts';

/** Sessions, the audit log, registration settings and API keys: the admin's oversight. */
export function registerOversightRoutes(api: AdminApi, ctx: HttpContext): void {
  const { sessions, audit, registration, apiKeys, sessionPolicy, languages } = ctx.services;

  api.route({
    method: 'GET', path: '/api/v1/sessions', tag: 'sessions', summary: 'Live sessions, newest first, by audience or person, a page at a time (next)',
    query: z
      .object({ audience: AudienceSchema.optional(), personId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).optional(), ...PagingQuery })
      .strict(),
    handler: async ({ query, request, reply }) => {
      const page = await sessions.page(query);
      return { sessions: page.items, next: nextLink(request, reply, page.next) };
    },
  });
  api.route({
    method: 'DELETE', path: '/api/v1/sessions/:id', tag: 'sessions', status: 204, summary: 'End one session at once, on every node',
    params: IdParams,
    audit: { action: 'session.revoked', targetType: 'session' },
    handler: async ({ params }) => {
      if (!(await sessions.revoke(params.id, 'revoked by an admin'))) {
        throw new FrontdoorError('session.not_found', 'No such live session.');
      }
    },
  });

  api.route({
    method: 'GET', path: '/api/v1/audit', tag: 'audit',
    summary: 'The audit log, newest first, a page at a time (next). action takes a trailing * (signin.*); before (an event id) still pages as it did.',
    query: z
      .object({
        action: z.string().regex(/^[a-z_.]{1,80}\*?$/, 'an action such as signin.password or signin.*').optional(),
        outcome: z.enum(['success', 'failure']).optional(),
        audience: AudienceSchema.optional(),
        actorId: z.string().max(100).optional(),
        targetId: z.string().max(100).optional(),
        before: z.string().regex(/^\d{1,19}$/).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
        ...PagingQuery,
      })
      .strict(),
    handler: async ({ query, request, reply }) => {
      const page = await audit.page(query);
      return { events: page.items, next: nextLink(request, reply, page.next) };
    },
  });

  api.route({
    method: 'GET', path: '/api/v1/settings/registration', tag: 'settings', summary: 'How Users may get an account',
    handler: async () => ({ registration: await registration.settings() }),
  });
  api.route({
    method: 'PATCH', path: '/api/v1/settings/registration', tag: 'settings', summary: 'Change how Users may get an account: mode, email validation, the Everyone group, password minimum, 2FA policy (audited)',
    body: RegistrationSettingsChangesSchema,
    handler: async ({ body, principal }) => ({ registration: await registration.updateSettings(body, principal.actor) }),
  });
  api.route({
    method: 'GET', path: '/api/v1/settings/sessions', tag: 'settings', summary: 'Session lengths and "remember this device" per audience',
    handler: async () => ({ sessions: await sessionPolicy.settings() }),
  });
  api.route({
    method: 'PATCH', path: '/api/v1/settings/sessions', tag: 'settings',
    summary: 'Change session lengths (null: the environment default) and "remember this device" days (null: off) per audience (audited)',
    body: SessionPolicyChangesSchema,
    handler: async ({ body, principal }) => ({ sessions: await sessionPolicy.update(body, principal.actor) }),
  });

  api.route({
    method: 'GET', path: '/api/v1/settings/languages', tag: 'settings', summary: 'The languages the Help Center offers and its default',
    handler: async () => ({ languages: await languages.settings() }),
  });
  api.route({
    method: 'PATCH', path: '/api/v1/settings/languages', tag: 'settings',
    summary: 'Change the languages offered (at least one) and the default (one of them) (audited)',
    body: LanguageSettingsChangesSchema,
    handler: async ({ body, principal }) => ({ languages: await languages.update(body, principal.actor) }),
  });

  api.route({
    method: 'GET', path: '/api/v1/api-keys', tag: 'api-keys', summary: 'API keys (never the keys themselves)',
    handler: async () => ({ apiKeys: await apiKeys.list() }),
  });
  api.route({
    method: 'POST', path: '/api/v1/api-keys', tag: 'api-keys', status: 201, summary: 'Create an API key; the key is in this answer only',
    body: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
    audit: { action: 'apikey.created', targetType: 'api_key' },
    handler: async ({ body, principal }) => {
      const { key, apiKey } = await apiKeys.create(body.name, principal.personId);
      return { apiKey: { ...apiKey, key } };
    },
  });
  api.route({
    method: 'DELETE', path: '/api/v1/api-keys/:id', tag: 'api-keys', status: 204, summary: 'Revoke an API key at once',
    params: IdParams,
    audit: { action: 'apikey.revoked', targetType: 'api_key' },
    handler: async ({ params }) => apiKeys.revoke(params.id),
  });
}
