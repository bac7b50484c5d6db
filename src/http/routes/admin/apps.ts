import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppType } from '../../../core/app-config.ts';
import { lastSyncRunsOf, requireLdapApp, syncLdapAppNow } from '../../../protocols/ldap/sync-jobs.ts';
import { AppTypeSchema, protocolOf, protocolOfType } from '../../../protocols/registry.ts';
import { SlugSchema, type AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { FrontdoorError, isFrontdoorError } from '../../../core/errors.ts';
import { parseInput } from '../../../core/validation.ts';
import { generateJwtSharedSecret } from '../../../protocols/jwt/keys.ts';
import { needsGeneratedSecret } from '../../api/apps.ts';
import { testAuthApp, type AppTestReport } from '../../app-test.ts';
import { redirectSeeOther } from '../../context.ts';
import { copyValuesFor } from '../../pages/admin/app-copy-values.ts';
import { trustConfigFromForm } from '../../pages/admin/app-trust-fields.ts';
import { appDetailPage, appsListPage, automaticPage, cataloguePage } from '../../pages/admin/apps.ts';
import { ldapSyncSection } from '../../pages/admin/ldap-sync.ts';
import type { ViewState } from '../../pages/admin/blocks.ts';
import { configFromForm, modeOf } from './app-config-form.ts';
import { offerSpKeyPair, takeSpKeyPair } from './sp-key-offer.ts';
import { registerAppValidation } from './app-validation.ts';
import { AudienceParam, frameOf, send, type Admin, type AdminConsole, type Form, type Render } from './console.ts';

// Auth apps: install, change, test, remove, and the SSO mode.

export function registerAppRoutes(section: AdminConsole): void {
  const { scope, ctx, services, adminOf, page, action, answer, confirmed } = section;
  /** Custom usergroups: what group mappings and "add to usergroups" may name. */
  const customGroups = async () => (await services.usergroups.list()).filter((g) => g.system === null);
  const appOf = (request: FastifyRequest) => services.apps.require((request.params as { id: string }).id);

  page('/admin/apps', async (_request, _reply, admin, state) =>
    appsListPage(frameOf(admin, state), await services.apps.list(), await services.articles.exist()));

  const catalogue: Render = async (request, _reply, admin, state) => {
    const query = request.query as { audience?: string; type?: string; protocol?: string };
    const audience = AudienceParam.safeParse(state.values?.audience ?? query.audience).data ?? 'users';
    const type = AppTypeSchema.refine((t) => t !== 'password').safeParse(state.values?.type ?? query.type).data;
    // A vendor's SAML card: only for a type that has a SAML mode (Okta, OneLogin, Microsoft).
    const wantsSaml = (state.values?.['config.protocol'] ?? query.protocol) === 'saml';
    const protocol = wantsSaml && type && type !== 'saml' && protocolOfType(type, { protocol: 'saml' })?.name === 'saml' ? 'saml' as const : undefined;
    if (!type) return cataloguePage(frameOf(admin, state), { audience, type, protocol }, [], undefined);
    const slug = state.values?.slug?.trim() || (await services.apps.suggestSlug(type, audience));
    const config = state.values ? configFromForm(state.values, type, modeOf(state.values)) : (protocol ? { protocol } : {});
    // SAML: the SP key pair is made now, so its certificate is there to copy before install.
    const now = services.clock.now();
    const kept = takeSpKeyPair(services.secretBox, state.values?.spKeyOffer, now);
    const offer = protocolOfType(type, config)?.name !== 'saml' ? undefined
      : kept && state.values?.spKeyOffer ? { sealed: state.values.spKeyOffer, certificate: kept.spCertificate } : await offerSpKeyPair(services.secretBox, slug, now);
    const copy = SlugSchema.safeParse(slug).success
      ? copyValuesFor({ type, audience, slug, config: offer ? { ...config, spCertificate: offer.certificate } : config }, services.config.publicUrl) : {};
    return cataloguePage(frameOf(admin, state), { audience, type, protocol }, await customGroups(), { slug, copy, spKeyOffer: offer?.sealed });
  };
  page('/admin/apps/new', catalogue);
  registerAppValidation(section);

  const appDetail = async (
    request: FastifyRequest, _reply: FastifyReply, admin: Admin, state: ViewState, given?: AuthApp,
    extra: { sharedSecret?: string; report?: AppTestReport } = {},
  ) => {
    const app = given ?? (await appOf(request));
    const successes = app.type === 'password' ? [] : await services.ssoTraces.list({ appId: app.id, outcome: 'success', limit: 1 });
    const extraSection = protocolOf(app)?.name === 'ldap' ? ldapSyncSection(app, frameOf(admin, state).csrf, await lastSyncRunsOf(services, app, 1)) : undefined;
    return appDetailPage(frameOf(admin, state), {
      app, urls: app.type === 'password' ? undefined : copyValuesFor(app, services.config.publicUrl), lastSuccess: successes[0], usergroups: await customGroups(), extraSection, ...extra,
    });
  };

  answer('/admin/apps', catalogue, async (request, reply, admin, form) => {
    const audience = parseInput(AudienceParam, form.audience);
    const type = parseInput(AppTypeSchema, form.type);
    const fields = appFieldsFromForm(form, type, audience, await customGroups(), modeOf(form));
    const slug = form.slug?.trim() ? parseInput(z.object({ slug: SlugSchema }), { slug: form.slug.trim() }).slug : undefined;
    const generated = type === 'jwt' && needsGeneratedSecret(fields.config ?? {}) ? generateJwtSharedSecret() : undefined;
    // The SP key pair whose certificate the form showed (else prepareNew makes one).
    const spKeys = protocolOfType(type, fields.config ?? {})?.name === 'saml' ? takeSpKeyPair(services.secretBox, form.spKeyOffer, services.clock.now()) : undefined;
    const created = await services.apps.create(
      { audience, type, slug, ...fields, config: { ...fields.config, ...(generated ? { sharedSecret: generated } : {}), ...spKeys } }, admin.actor,
    );
    if (!generated) return redirectSeeOther(reply, `/admin/apps/${created.id}?notice=installed`);
    // The generated shared secret is shown this once, so this answer is a page, not a redirect.
    return send(reply, 201, await appDetail(request, reply, admin, { notice: 'The app is installed.' }, created, { sharedSecret: generated }));
  });

  page('/admin/apps/:id', (request, reply, admin, state) => appDetail(request, reply, admin, state));

  action('/admin/apps/:id', (request, reply, admin, state) => appDetail(request, reply, admin, state), async (request, admin, form) => {
    const current = await appOf(request);
    const changes = appFieldsFromForm(form, current.type, current.audience, await customGroups(), current.config.protocol === 'saml' ? { protocol: 'saml' } : {});
    const updated = await services.apps.update(current.id, changes, admin.actor);
    ctx.oidc.forget(updated.id);
    ctx.samlIdps.forget(updated.id);
    return `/admin/apps/${updated.id}?notice=saved`;
  });

  // The Test: a diagnostic, not a change of state, so it answers with its report directly.
  scope.post('/admin/apps/:id/test', async (request, reply) => {
    const admin = adminOf(request);
    const app = await appOf(request);
    try {
      const report = await testAuthApp(ctx, app, admin.actor);
      return send(reply, 200, await appDetail(request, reply, admin, {}, app, { report }));
    } catch (error) {
      if (!isFrontdoorError(error) || error.status >= 500) throw error;
      return send(reply, error.status, await appDetail(request, reply, admin, { error }, app));
    }
  });

  // An LDAP app's sync now or dry run: the report is the run's, shown on the app's page after
  // the redirect. A directory that cannot be reached fails the run, which the report says.
  action('/admin/apps/:id/ldap-sync', (request, reply, admin, state) => appDetail(request, reply, admin, state), async (request, admin, form) => {
    const app = await requireLdapApp(services, (request.params as { id: string }).id);
    const dryRun = form.dryRun === 'yes';
    try {
      await syncLdapAppNow(services, app, { dryRun, actor: admin.actor });
    } catch (error) {
      if (!isFrontdoorError(error) || error.status < 500) throw error;
      return `/admin/apps/${app.id}?notice=sync_failed`;
    }
    return `/admin/apps/${app.id}?notice=${dryRun ? 'sync_dry_run' : 'synced'}`;
  });

  // Removing an app is destructive: its page names what goes with it (the links of the people
  // who signed in with it; with Automatic on, the audience's login form comes back).
  confirmed('/admin/apps/:id/remove', async (request) => {
    const app = await appOf(request);
    if (app.type === 'password') throw new FrontdoorError('app.password_not_removable', 'The built-in password app cannot be removed; disable it instead.');
    const [linked] = await services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM identities WHERE app_id = $1', [app.id]);
    const people = linked?.n ?? 0;
    return {
      section: 'apps', title: `Remove the app ${app.name}?`, button: `Remove ${app.name}`, cancel: `/admin/apps/${app.id}`,
      takes: [
        `${people} ${people === 1 ? 'person keeps their account but loses the link' : 'people keep their accounts but lose the link'} to ${app.name}; signing in with it again needs a new install.`,
        ...(app.sso === 'automatic' ? [`It is the Automatic app of ${app.audience === 'users' ? 'the Help Center' : 'the agent console'}: the login form comes back for everyone.`] : []),
      ],
    };
  }, async (request, admin) => {
    await services.apps.remove((await appOf(request)).id, admin.actor);
    return '/admin/apps?notice=removed';
  });

  action('/admin/apps/:id/sso', (request, reply, admin, state) => appDetail(request, reply, admin, state), async (request, admin, form) => {
    const app = await appOf(request);
    if (form.sso !== 'disabled') throw new FrontdoorError('request.invalid', 'Use the confirmation page to make an app Automatic.');
    await services.apps.update(app.id, { sso: 'disabled' }, admin.actor);
    return `/admin/apps/${app.id}?notice=sso_off`;
  });

  // Switching to Automatic: a confirmation page that says what it does, refused until the
  // app has signed someone in (a success in its SSO traces) - a broken Automatic app would
  // lock everyone of the audience out. The admin API keeps accepting sso=automatic as it
  // always has (automation knows what it does); see docs/ADMIN-CONSOLE.md.
  const automatic: Render = async (request, _reply, admin, state) => {
    const app = await appOf(request);
    const current = await services.apps.automaticApp(app.audience);
    const [success] = await services.ssoTraces.list({ appId: app.id, outcome: 'success', limit: 1 });
    return automaticPage(frameOf(admin, state), app, current, success);
  };
  page('/admin/apps/:id/automatic', automatic);
  action('/admin/apps/:id/automatic', automatic, async (request, admin, form) => {
    const app = await appOf(request);
    if (form.confirm !== 'yes') throw new FrontdoorError('request.invalid', 'Confirm the switch to Automatic.');
    const [success] = await services.ssoTraces.list({ appId: app.id, outcome: 'success', limit: 1 });
    if (!success) {
      throw new FrontdoorError('app.test_sign_in_required', `${app.name} has had no successful test sign-in yet; try one before making it Automatic.`);
    }
    await services.apps.update(app.id, { sso: 'automatic' }, admin.actor);
    return `/admin/apps/${app.id}?notice=automatic`;
  });
}

/** The form's app fields as the registry takes them; empty fields are left out (a secret keeps its value). */
function appFieldsFromForm(form: Form, type: AppType, audience: Audience, usergroups: { id: string; name: string }[], mode: Record<string, unknown>) {
  const config = type === 'password' ? {} : { ...configFromForm(form, type, mode), ...trustConfigFromForm(form, audience, usergroups) };
  const number = Number(form.displayOrder ?? '0');
  const parsed = parseInput(
    z.object({ name: z.string().trim().min(1).max(100), displayOrder: z.number().int().min(-1000).max(1000) }),
    { name: form.name ?? '', displayOrder: form.displayOrder?.trim() === '' ? 0 : number },
  );
  return {
    name: parsed.name,
    displayOrder: parsed.displayOrder,
    enabled: form.enabled !== undefined,
    ...(type === 'password' ? {} : { showButton: form.showButton !== undefined, config }),
  };
}
