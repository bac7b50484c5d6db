import { z } from 'zod';
import type { Audience } from '../../core/audience.ts';
import { recordAdminChange } from '../../core/audit.ts';
import { MIN_SEARCH_LENGTH } from '../../core/people.ts';
import { IMPORT_LIMITS } from '../../core/people-import.ts';
import { EmailSchema, NameSchema } from '../../core/validation.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';
import { nextLink, PagingQuery } from './paging.ts';

export const IdParams = z.object({ id: z.uuid() }).strict();

// Users and Agents share one shape; the path decides the audience, and every lookup is made
// within it, so an agent id under /users (or the reverse) is simply not found (invariant 2).
const PATHS: Record<Audience, string> = { users: '/api/v1/users', agents: '/api/v1/agents' };
const SINGULAR: Record<Audience, string> = { users: 'User', agents: 'Agent' };

function newPersonBody(audience: Audience) {
  return z
    .object({
      name: NameSchema,
      email: EmailSchema,
      /** Optional: people without a password sign in through an external app. */
      password: z.string().max(1024).optional(),
      emailVerified: z.boolean().optional(),
      ...(audience === 'agents' ? { isAdmin: z.boolean().optional() } : { usergroupIds: z.array(z.uuid()).max(200).optional() }),
    })
    .strict();
}

function personChangesBody(audience: Audience) {
  return z
    .object({
      name: NameSchema.optional(),
      disabled: z.boolean().optional(),
      // `verified`: the admin vouches for a new address; without it a new address is unproven.
      emails: z.array(z.object({ email: EmailSchema, primary: z.boolean().optional(), verified: z.boolean().optional() }).strict()).min(1).max(20).optional(),
      ...(audience === 'agents' ? { isAdmin: z.boolean().optional() } : { usergroupIds: z.array(z.uuid()).max(200).optional() }),
    })
    .strict();
}

const ImportBody = z
  .object({
    csv: z.string().min(1).max(IMPORT_LIMITS.maxCharacters, `at most ${IMPORT_LIMITS.maxCharacters} characters: split the file`),
    /** true: only the plan. false: apply it, which needs the fingerprint of the plan the dry run showed. */
    dryRun: z.boolean(),
    plan: z.string().max(100).optional(),
  })
  .strict()
  .refine((b) => b.dryRun || b.plan !== undefined, { path: ['plan'], message: 'applying needs the plan (fingerprint) of a dry run' });

export function registerPeopleRoutes(api: AdminApi, ctx: HttpContext): void {
  for (const audience of ['users', 'agents'] as const) registerAudiencePeople(api, ctx, audience);
  api.route({
    method: 'POST', path: '/api/v1/users/import', tag: 'users',
    summary: `Import Users from CSV (columns name, email, usergroups; usergroups separated by ";"): a dry run answers the plan (created, updated, unchanged, refused with reasons) and its fingerprint; the real run applies that same plan, each row on its own (at most ${IMPORT_LIMITS.maxRows} rows)`,
    body: ImportBody,
    handler: async ({ body, principal, request }) => ({
      import: body.dryRun
        ? await ctx.services.peopleImport.plan(body.csv)
        : await ctx.services.peopleImport.apply(body.csv, body.plan!, principal.actor, request.ip),
    }),
  });
}

function registerAudiencePeople(api: AdminApi, ctx: HttpContext, audience: Audience): void {
  const { people, sessions } = ctx.services;
  const base = PATHS[audience];
  const noun = SINGULAR[audience];
  const tag = audience;
  const audit = (action: string) => ({ action, targetType: 'person', audience });

  api.route({
    method: 'GET', path: base, tag,
    summary: `${noun}s, oldest first, a page at a time (next: the link to the next page, null on the last); query matches a part of the name or of an email, at least ${MIN_SEARCH_LENGTH} characters`,
    query: z
      .object({ query: z.string().trim().min(MIN_SEARCH_LENGTH).max(200).optional(), limit: z.coerce.number().int().min(1).max(500).optional(), ...PagingQuery })
      .strict(),
    handler: async ({ query, request, reply }) => {
      const page = await people.page({ audience, ...query });
      return { people: page.items, next: nextLink(request, reply, page.next) };
    },
  });

  api.route({
    method: 'POST', path: base, tag, status: 201, summary: `Create a ${noun}`,
    body: newPersonBody(audience),
    audit: audit('person.created'),
    handler: async ({ body, principal, request }) => {
      const person = await people.create({ audience, ...body });
      if (person.isAdmin) await recordAdminChange(ctx.services.audit, audit('person.admin_granted'), principal.actor, request.ip, person.id);
      return { person };
    },
  });

  api.route({
    method: 'GET', path: `${base}/:id`, tag, summary: `One ${noun}, with emails, usergroups and linked identities`,
    params: IdParams,
    handler: async ({ params }) => ({ person: await people.require(params.id, audience) }),
  });

  api.route({
    method: 'PATCH', path: `${base}/:id`, tag,
    summary: `Change a ${noun}. Disabling ends every session at once; the last admin cannot lose admin rights.`,
    params: IdParams,
    body: personChangesBody(audience),
    audit: audit('person.updated'),
    handler: async ({ params, body, principal, request }) => {
      const wasAdmin = 'isAdmin' in body && body.isAdmin !== undefined ? (await people.require(params.id, audience)).isAdmin : undefined;
      const person = await people.update(params.id, audience, body);
      // Admin rights are the keys to everything: a change of them is its own audit event.
      if (wasAdmin !== undefined && wasAdmin !== person.isAdmin) {
        await recordAdminChange(ctx.services.audit, audit(person.isAdmin ? 'person.admin_granted' : 'person.admin_revoked'), principal.actor, request.ip, person.id);
      }
      if (body.disabled) await sessions.revokeAllFor(person.id, 'person disabled by an admin');
      return { person };
    },
  });

  api.route({
    method: 'DELETE', path: `${base}/:id`, tag, status: 204, summary: `Remove a ${noun} (and their sessions and identities)`,
    params: IdParams,
    audit: audit('person.removed'),
    handler: async ({ params }) => people.remove(params.id, audience),
  });

  api.route({
    method: 'POST', path: `${base}/:id/password-reset`, tag,
    summary: `Email the ${noun} a password-reset link (the forgot form's mail, to the primary email; at most 5 an hour)`,
    params: IdParams,
    handler: async ({ params, principal, request }) => {
      await ctx.services.passwordReset.sendResetLinkByAdmin({ personId: params.id, audience, actor: principal.actor, ip: request.ip });
      return { sent: true };
    },
  });

  api.route({
    method: 'GET', path: `${base}/:id/sessions`, tag, summary: `The ${noun}'s live sessions, newest first, a page at a time (next)`,
    params: IdParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), ...PagingQuery }).strict(),
    handler: async ({ params, query, request, reply }) => {
      await people.require(params.id, audience);
      const page = await sessions.page({ personId: params.id, audience, ...query });
      return { sessions: page.items, next: nextLink(request, reply, page.next) };
    },
  });

  api.route({
    method: 'DELETE', path: `${base}/:id/sessions`, tag, summary: `Sign the ${noun} out everywhere`,
    params: IdParams,
    audit: audit('person.sessions_revoked'),
    handler: async ({ params }) => {
      await people.require(params.id, audience);
      return { revoked: await sessions.revokeAllFor(params.id, 'revoked by an admin') };
    },
  });
}
