import { z } from 'zod';
import { isHmacAlgorithm } from '../../protocols/jwt/config.ts';
import { SlugSchema } from '../../core/apps.ts';
import { AudienceSchema } from '../../core/audience.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { JWT_EMAIL_TRUST } from '../../protocols/jwt/profile.ts';
import type { HttpContext } from '../context.ts';
import { AppTypeSchema, protocolOf } from '../../protocols/registry.ts';
import { jwtProtocol } from '../../protocols/jwt/sign-in.ts';
import { regenerateJwtSharedSecret } from '../../protocols/jwt/shared-secret.ts';
import { generateJwtSharedSecret } from '../../protocols/jwt/keys.ts';
import type { AdminApi } from './define-route.ts';
import { apiTestReport, testAuthApp } from '../app-test.ts';
import { samlProtocol } from '../../protocols/saml/sign-in.ts';
import { generateKeyPair } from '../../protocols/saml/sp-keys.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) }).strict();
const SsoSchema = z.enum(['disabled', 'automatic']);

const NewAppBody = z
  .object({
    audience: AudienceSchema,
    type: AppTypeSchema,
    name: z.string().trim().min(1).max(100).optional(),
    slug: SlugSchema.optional(),
    enabled: z.boolean().optional(),
    sso: SsoSchema.optional(),
    showButton: z.boolean().optional(),
    displayOrder: z.number().int().min(-1000).max(1000).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const AppChangesBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
    sso: SsoSchema.optional(),
    showButton: z.boolean().optional(),
    displayOrder: z.number().int().min(-1000).max(1000).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export function registerAppRoutes(api: AdminApi, ctx: HttpContext): void {
  const { apps } = ctx.services;
  // Every external app answers with the addresses to paste into its identity service.
  const view = (app: AuthApp) => {
    const protocol = protocolOf(app);
    if (!protocol) return app;
    const urls = protocol.urlsToCopy(app, ctx.services.config.publicUrl);
    // Shown to the admin: a JWT app's word on an email is taken as verified.
    return protocol === jwtProtocol ? { ...app, urls, emailTrust: JWT_EMAIL_TRUST } : { ...app, urls };
  };

  api.route({
    method: 'GET', path: '/api/v1/apps', tag: 'apps', summary: 'List auth apps, optionally of one audience',
    query: z.object({ audience: AudienceSchema.optional() }).strict(),
    handler: async ({ query }) => ({ apps: (await apps.list(query.audience)).map(view) }),
  });

  api.route({
    method: 'POST', path: '/api/v1/apps', tag: 'apps', status: 201,
    summary: 'Install an auth app for one audience. sso=automatic demotes the audience\'s current automatic app.',
    body: NewAppBody,
    handler: async ({ body, principal }) => {
      // A JWT app on HS256/384/512 without a secret of the admin's own gets one generated,
      // answered this once (regenerate it with POST /api/v1/apps/{id}/jwt-secret).
      const generated = body.type === 'jwt' && needsGeneratedSecret(body.config ?? {}) ? generateJwtSharedSecret() : undefined;
      const app = await apps.create(generated ? { ...body, config: { ...body.config, sharedSecret: generated } } : body, principal.actor);
      return { app: view(app), ...(generated ? { sharedSecret: generated } : {}) };
    },
  });

  api.route({
    method: 'GET', path: '/api/v1/apps/:id', tag: 'apps', summary: 'One auth app, by id or slug (secrets are never returned)',
    params: IdParams,
    handler: async ({ params }) => ({ app: view(await apps.require(params.id)) }),
  });

  api.route({
    method: 'PATCH', path: '/api/v1/apps/:id', tag: 'apps',
    summary: 'Change an auth app. config is merged; a secret left out keeps its stored value.',
    params: IdParams,
    body: AppChangesBody,
    handler: async ({ params, body, principal }) => {
      const app = await apps.update(params.id, body, principal.actor);
      ctx.oidc.forget(app.id);
      ctx.samlIdps.forget(app.id);
      return { app: view(app) };
    },
  });

  api.route({
    method: 'DELETE', path: '/api/v1/apps/:id', tag: 'apps', status: 204, summary: 'Remove an auth app (not the built-in password app)',
    params: IdParams,
    handler: async ({ params, principal }) => apps.remove(params.id, principal.actor),
  });

  api.route({
    method: 'POST', path: '/api/v1/apps/:id/jwt-secret', tag: 'apps',
    summary: 'Generate a new shared secret for a JWT app (HS256/384/512). It is answered this once; the previous secret stops working at once.',
    params: IdParams,
    handler: async ({ params, principal }) => {
      const current = await apps.require(params.id);
      const algorithms = current.type === 'jwt' && Array.isArray(current.config.algorithms) ? current.config.algorithms : [];
      if (!algorithms.some((alg) => typeof alg === 'string' && isHmacAlgorithm(alg))) {
        throw new FrontdoorError('app.config_invalid', 'Only JWT apps that use HS256, HS384 or HS512 have a shared secret.');
      }
      // The same regeneration as the console's (audited as app.secret_regenerated).
      const { app, sharedSecret } = await regenerateJwtSharedSecret(ctx.services, current, principal.actor, 'api');
      return { app: view(app), sharedSecret };
    },
  });

  api.route({
    method: 'POST', path: '/api/v1/apps/:id/test', tag: 'apps',
    summary: 'Check an external app\'s setup without signing anyone in: discovery, signing keys, endpoints, client credentials',
    params: IdParams,
    handler: async ({ params, principal }) => apiTestReport(await testAuthApp(ctx, await apps.require(params.id), principal.actor)),
  });

  // SP key rotation without a gap: `add_next` publishes a new certificate in our metadata
  // (it already decrypts) while the current key keeps signing; once the identity service has
  // the new metadata, `promote` makes the new key sign and keeps the old one published and
  // decrypting; `remove_previous` ends the overlap.
  api.route({
    method: 'POST', path: '/api/v1/apps/:id/saml/sp-keys', tag: 'apps',
    summary: 'Rotate a SAML app\'s SP key: add_next, then promote, then remove_previous',
    params: IdParams,
    body: z.object({ action: z.enum(['add_next', 'promote', 'remove_previous']) }).strict(),
    handler: async ({ params, body, principal }) => {
      const app = await apps.require(params.id);
      if (protocolOf(app) !== samlProtocol) throw new FrontdoorError('request.invalid', 'Only SAML apps have SP keys.');
      const secrets = await apps.secretsOf(app.id);
      const config = app.config;
      let changes: Record<string, unknown>;
      if (body.action === 'add_next') {
        const pair = await generateKeyPair(`Frontdoor SAML ${app.slug}`, ctx.services.clock.now());
        changes = { spNextPrivateKey: pair.privateKey, spNextCertificate: pair.certificate };
      } else if (body.action === 'promote') {
        if (!secrets.spNextPrivateKey || !config.spNextCertificate) throw new FrontdoorError('request.invalid', 'There is no next key to promote: add_next first.');
        changes = {
          spPrivateKey: secrets.spNextPrivateKey, spCertificate: config.spNextCertificate,
          spPreviousPrivateKey: secrets.spPrivateKey, spPreviousCertificate: config.spCertificate,
          spNextPrivateKey: undefined, spNextCertificate: undefined,
        };
      } else {
        changes = { spPreviousPrivateKey: undefined, spPreviousCertificate: undefined };
      }
      const updated = await apps.update(app.id, { config: changes }, principal.actor);
      await ctx.services.audit.record({
        action: 'app.sp_key_rotated', outcome: 'success', audience: app.audience, actor: principal.actor, target: { type: 'app', id: app.id },
        details: { step: body.action },
      });
      return { app: view(updated) };
    },
  });
}


export function needsGeneratedSecret(config: Record<string, unknown>): boolean {
  const algorithms = Array.isArray(config.algorithms) ? (config.algorithms as unknown[]) : ['HS256'];
  return algorithms.some((alg) => typeof alg === 'string' && isHmacAlgorithm(alg)) && config.sharedSecret === undefined;
}
