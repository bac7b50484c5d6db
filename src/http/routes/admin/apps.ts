import { SHOWN_SECRET_TTL_MS } from '../../../core/console-results.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppType } from '../../../core/app-config.ts';
import { lastSyncRunsOf, requireLdapApp, syncLdapAppNow } from '../../../protocols/ldap/sync-jobs.ts';
import { AppTypeSchema, protocolOf, protocolOfType } from '../../../protocols/registry.ts';
import { SlugSchema, type AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { FrontdoorError, isFrontdoorError } from '../../../core/errors.ts';
import { parseInput } from '../../../core/validation.ts';
import { jwtConfigOf } from '../../../protocols/jwt/config.ts';
import { regenerateJwtSharedSecret, usesSharedSecret } from '../../../protocols/jwt/shared-secret.ts';
import { generateJwtSharedSecret } from '../../../protocols/jwt/keys.ts';
import { jwtVerificationKeyOf } from '../../../protocols/jwt/sign-in.ts';
import { checkPastedJwt, type TokenCheckReport } from '../../../protocols/jwt/token-check.ts';
import { issueTestTicket, TEST_REPORT_TTL_MS, type TestSignInReport } from '../../test-sign-in.ts';
import { testSignInReportPage } from '../../pages/admin/app-testing.ts';
import { needsGeneratedSecret } from '../../api/apps.ts';
import { reportTestNotRun, testAuthApp, type AppTestReport } from '../../app-test.ts';
import { redirectSeeOther } from '../../context.ts';
import { copyValuesFor } from '../../pages/admin/app-copy-values.ts';
import { trustConfigFromForm } from '../../pages/admin/app-trust-fields.ts';
import { appDetailPage, appsListPage, automaticPage, cataloguePage } from '../../pages/admin/apps.ts';
import { ldapSyncSection } from '../../pages/admin/ldap-sync.ts';
import type { ViewState } from '../../pages/admin/blocks.ts';
import { APP_FORM_BODY_LIMIT_BYTES, configFromForm, modeOf } from './app-config-form.ts';
import { offerSpKeyPair, takeSpKeyPair } from './sp-key-offer.ts';
import { registerAppValidation } from './app-validation.ts';
import { AudienceParam, formOf, frameOf, send, type Admin, type AdminConsole, type Form, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// Auth apps: install, change, test, remove, and the SSO mode.

export function registerAppRoutes(section: AdminConsole): void {
  const { scope, ctx, services, adminOf, page, action, answer, confirmed } = section;
  /** Custom usergroups: what group mappings and "add to usergroups" may name. */
  const customGroups = async () => (await services.usergroups.list()).filter((g) => g.system === null);
  const appOf = (request: FastifyRequest) => services.apps.require((request.params as { id: string }).id);
  const regenerableApp = async (request: FastifyRequest) => {
    const app = await appOf(request);
    if (!usesSharedSecret(app)) {
      throw new FrontdoorError('app.secret_not_regenerable', `${app.name} has no shared secret: only JWT apps signing with HS256, HS384 or HS512 have one.`);
    }
    return app;
  };

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
    extra: { sharedSecret?: string; regenerated?: { until: string }; report?: AppTestReport; tokenReport?: TokenCheckReport } = {},
  ) => {
    const app = given ?? (await appOf(request));
    const successes = app.type === 'password' ? [] : await services.ssoTraces.list({ appId: app.id, outcome: 'success', limit: 1 });
    const extraSection = protocolOf(app)?.name === 'ldap' ? ldapSyncSection(app, frameOf(admin, state).csrf, await lastSyncRunsOf(services, app, 1)) : undefined;
    return appDetailPage(frameOf(admin, state), {
      app, urls: app.type === 'password' ? undefined : copyValuesFor(app, services.config.publicUrl), lastSuccess: successes[0], usergroups: await customGroups(), extraSection,
      testSignIn: protocolOf(app)?.testSignIn === true, ...extra,
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
    // The generated shared secret is kept for this session for a while, like a regenerated one,
    // so that the answer can be a redirect: a reload shows it again instead of installing twice.
    await services.consoleResults.save('shared_secret', { sessionId: admin.sessionId, appId: created.id }, { secret: generated }, SHOWN_SECRET_TTL_MS);
    return redirectSeeOther(reply, `/admin/apps/${created.id}/shared-secret?installed=1`);
  }, { bodyLimit: APP_FORM_BODY_LIMIT_BYTES });

  page('/admin/apps/:id', (request, reply, admin, state) => appDetail(request, reply, admin, state));

  action('/admin/apps/:id', (request, reply, admin, state) => appDetail(request, reply, admin, state), async (request, admin, form) => {
    const current = await appOf(request);
    const changes = appFieldsFromForm(form, current.type, current.audience, await customGroups(), current.config.protocol === 'saml' ? { protocol: 'saml' } : {});
    const updated = await services.apps.update(current.id, changes, admin.actor);
    ctx.oidc.forget(updated.id);
    ctx.samlIdps.forget(updated.id);
    return `/admin/apps/${updated.id}?notice=saved`;
  }, { bodyLimit: APP_FORM_BODY_LIMIT_BYTES });

  // The Test: a diagnostic whose report is kept for this admin session (console-results.ts), so
  // the answer is a 303 to it and a reload shows it again rather than testing again. A service
  // the Test cannot reach or run (>= 500) is a failed check of the report, not an error page.
  scope.post('/admin/apps/:id/test', async (request, reply) => {
    const admin = adminOf(request);
    const app = await appOf(request);
    let report: AppTestReport;
    try {
      report = await testAuthApp(ctx, app, admin.actor);
    } catch (error) {
      if (!isFrontdoorError(error)) throw error;
      if (error.status < 500) return send(reply, error.status, await appDetail(request, reply, admin, { error }, app));
      report = await reportTestNotRun(ctx, app, admin.actor, error, request.log);
    }
    const resultId = await services.consoleResults.save('app_test', { sessionId: admin.sessionId, appId: app.id }, report, TEST_REPORT_TTL_MS);
    return redirectSeeOther(reply, `/admin/apps/${app.id}/test/${resultId}`);
  });
  // The Test's report: only to the admin session that ran it (any other gets 404), for a day.
  page('/admin/apps/:id/test/:resultId', async (request, reply, admin, state) => {
    const { id, resultId } = request.params as { id: string; resultId: string };
    const found = await services.consoleResults.find<AppTestReport>('app_test', resultId, admin.sessionId);
    if (!found || found.appId !== id) throw new FrontdoorError('request.not_found', 'There is no test report at this address for this session.');
    return appDetail(request, reply, admin, state, undefined, { report: found.payload });
  });

  // A JWT app's pasted token, checked by the sign-in's verifier without using up its jti or
  // storing anything (token-check.ts); the report is this answer, so a reload goes back to the
  // app's page (reload-fallbacks.ts). The token is never logged or audited.
  scope.post('/admin/apps/:id/test-token', async (request, reply) => {
    const admin = adminOf(request);
    const app = await appOf(request);
    if (app.type !== 'jwt') throw new FrontdoorError('request.not_found', 'Only JWT apps check a pasted token.');
    const token = formOf(request).token?.trim() ?? '';
    const now = services.clock.now();
    try {
      const tokenReport = await checkPastedJwt(token, {
        config: jwtConfigOf(app), key: await jwtVerificationKeyOf(ctx, app, now), now, isUsed: (jti) => services.replay.isUsed(app.id, jti),
      });
      await services.audit.record({
        action: 'app.tested', outcome: tokenReport.ok ? 'success' : 'failure', reason: tokenReport.ok ? undefined : tokenReport.code, audience: app.audience,
        actor: admin.actor, target: { type: 'app', id: app.id }, ip: request.ip,
        details: { check: 'pasted_token', failed: tokenReport.checks.filter((c) => c.state === 'failed').map((c) => c.name) },
      });
      return send(reply, 200, await appDetail(request, reply, admin, {}, app, { tokenReport }));
    } catch (error) {
      if (!isFrontdoorError(error) || (error.status >= 500 && error.code !== 'sso.jwt.key_unavailable')) throw error;
      return send(reply, error.status >= 500 ? 502 : error.status, await appDetail(request, reply, admin, { error }, app));
    }
  });

  // Test sign-in: a one-time ticket for this admin session, then the app's own start in the
  // tab this form opened; the sign-in ends on the report below (test-sign-in.ts).
  action('/admin/apps/:id/test-sign-in', (request, reply, admin, state) => appDetail(request, reply, admin, state), async (request, admin) => {
    const app = await appOf(request);
    if (protocolOf(app)?.testSignIn !== true) throw new FrontdoorError('app.test_sign_in_unsupported', `${app.name} has no test sign-in: use its Test instead.`);
    if (!app.enabled) throw new FrontdoorError('sso.app_unavailable', 'Enable the app first: a turned-off app cannot sign anyone in, not even for a test.');
    const ticket = await issueTestTicket(services, app, { sessionId: admin.sessionId, personId: admin.person.id });
    return `/sso/${app.slug}/start?test=${ticket}`;
  });

  // The report: only to the admin session that ran the test (any other, even the same
  // admin's other browser, gets 404); it stays for a day, so reloading it works.
  page('/admin/apps/:id/test-sign-in/:reportId', async (request, _reply, admin, state) => {
    const { id, reportId } = request.params as { id: string; reportId: string };
    const found = await services.consoleResults.find<TestSignInReport>('test_sign_in', reportId, admin.sessionId);
    if (!found || found.appId !== id) throw new FrontdoorError('request.not_found', 'There is no test sign-in report at this address for this session.');
    return testSignInReportPage(frameOf(admin, state), found.payload);
  });

  // Regenerating an HS256 app's shared secret: confirmed first (the old secret stops working at
  // once); the new one is sealed for this admin session for 15 minutes, so the page after the
  // redirect, and a reload of it, shows it to them and nobody else.
  confirmed('/admin/apps/:id/regenerate-secret', async (request) => {
    const app = await regenerableApp(request);
    return {
      section: 'apps', title: t('console.confirm.secretTitle', { name: app.name }), button: t('console.confirm.secretButton'), cancel: `/admin/apps/${app.id}`,
      takes: [t('console.confirm.secretOldStops'), t('console.confirm.secretShownOnce')],
    };
  }, async (request, admin) => {
    const { app, sharedSecret } = await regenerateJwtSharedSecret(services, await appOf(request), admin.actor, 'console', request.ip);
    // Shown to this session only; a secret shown to anyone before is stale now.
    await services.consoleResults.forgetAll('shared_secret', app.id);
    await services.consoleResults.save('shared_secret', { sessionId: admin.sessionId, appId: app.id }, { secret: sharedSecret }, SHOWN_SECRET_TTL_MS);
    return `/admin/apps/${app.id}/shared-secret`;
  });
  page('/admin/apps/:id/shared-secret', async (request, reply, admin, state) => {
    const app = await appOf(request);
    const shown = await services.consoleResults.latest<{ secret: string }>('shared_secret', admin.sessionId, app.id);
    if (!shown) return appDetail(request, reply, admin, { notice: t('console.notice.noSecretToShow') }, app);
    const until = new Date(shown.createdAt.getTime() + SHOWN_SECRET_TTL_MS).toISOString();
    const installed = (request.query as { installed?: string }).installed === '1';
    const notice = installed ? t('console.notice.installed') : t('console.notice.secretRegenerated');
    return appDetail(request, reply, admin, { notice }, app, { sharedSecret: shown.payload.secret, regenerated: { until } });
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
      section: 'apps', title: t('console.confirm.appTitle', { name: app.name }), button: t('console.confirm.appButton', { name: app.name }), cancel: `/admin/apps/${app.id}`,
      takes: [
        t('console.confirm.appLinks', { count: people, name: app.name }),
        ...(app.sso === 'automatic' ? [t('console.confirm.appAutomatic', { audience: app.audience })] : []),
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
