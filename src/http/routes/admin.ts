import { JWT_EMAIL_TRUST } from '../../protocols/jwt/profile.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { APP_TYPES, AppTypeSchema, defaultAppName, JWT_ALGORITHMS, type AppType } from '../../core/app-config.ts';
import { SlugSchema, type AuthApp } from '../../core/apps.ts';
import type { Audience } from '../../core/audience.ts';
import { recordAdminChange, type Actor, type AdminChange } from '../../core/audit.ts';
import { FrontdoorError, isFrontdoorError } from '../../core/errors.ts';
import { MIN_SEARCH_LENGTH, primaryEmail, type Person } from '../../core/people.ts';
import { RegistrationModeSchema, RegistrationSettingsChangesSchema } from '../../core/registration.ts';
import { NameSchema, parseInput } from '../../core/validation.ts';
import { generateJwtSharedSecret } from '../../protocols/jwt/keys.ts';
import { PASSWORD_MIN_LENGTH, PASSWORD_MIN_LENGTH_CEILING } from '../../core/credentials/password-rules.ts';
import { needsGeneratedSecret } from '../api/apps.ts';
import { TRUST_KEYS, trustConfigFromForm, trustFields } from '../pages/app-trust-fields.ts';
import { testAuthApp, urlsToCopy, type AppTestReport } from '../app-test.ts';
import { redirectSeeOther, type HttpContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import {
  actionButton, adminPage, checkbox, copyList, csrfField, select, ssoBadge, textArea, textInput, when, yesNo, type AdminSection, type ViewState,
  welcomeSteps,
} from '../pages/admin.ts';

// The admin console (/admin): the same domain operations as the admin API, through forms.
// Every change is a POST with a CSRF token that answers 303 to the page it changed
// (POST-redirect-GET); a refusal re-renders that page with the error's message, code and
// the fields at fault, and changes nothing (the core refuses before it writes).

type Form = Record<string, string>;
type Admin = { person: Person; actor: Actor; csrf: string };
type Render = (request: FastifyRequest, reply: FastifyReply, admin: Admin, state: ViewState) => Promise<SafeHtml>;

const AUDIENCES = ['users', 'agents'] as const;
const AUDIENCE_LABEL: Record<Audience, string> = { users: 'Users (Help Center)', agents: 'Agents (agent console)' };
const AudienceParam = z.enum(AUDIENCES);
/** A list page's cursor (list-cursor.ts), as the console's own next links carry it; anything else starts at the first page. */
const CursorParam = z.string().regex(/^[A-Za-z0-9_-]{1,400}$/).optional().catch(undefined);

/** Fixed texts for the notice after a redirect: the query names one, never free text. */
const NOTICES: Record<string, string> = {
  installed: 'The app is installed.', saved: 'Saved.', removed: 'Removed.', automatic: 'The app is now Automatic.',
  sso_off: 'Automatic sign-in is off; the login form is back.', created: 'Created.', renamed: 'Renamed.', revoked: 'Revoked.',
  approved: 'Approved: they have been told by email.', rejected: 'The registration was turned down and the account removed.',
  two_factor_removed: 'Every second factor of this person was removed.', disabled: 'Disabled: their sessions ended.', enabled: 'Enabled.',
  admin_on: 'They are an admin now.', admin_off: 'They are no longer an admin.', signed_out: 'Signed out everywhere.',
};

function formOf(request: FastifyRequest): Form {
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
function listOf(request: FastifyRequest, name: string): string[] {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const send = (reply: FastifyReply, status: number, page: SafeHtml) => reply.code(status).type('text/html; charset=utf-8').send(page.value);

export function registerAdminConsoleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const admins = new WeakMap<FastifyRequest, Admin>();
  const adminOf = (request: FastifyRequest) => admins.get(request)!;
  const noticeOf = (request: FastifyRequest) => NOTICES[(request.query as { notice?: string } | undefined)?.notice ?? ''];
  const chrome = (admin: Admin, title: string) => ({ title, area: 'admin' as const, signedInAs: primaryEmail(admin.person), csrfToken: admin.csrf });
  const audited = (admin: Admin, request: FastifyRequest, change: AdminChange, targetId: string | undefined) =>
    recordAdminChange(services.audit, change, admin.actor, request.ip, targetId);

  void app.register(async (scope) => {
    // Who may open the console: admin Agents only. Anonymous visitors go to the agent sign-in
    // and come back; a Help Center session is the wrong audience (invariant 2), a plain agent
    // is forbidden. Every change also needs this browser's CSRF token.
    scope.addHook('preHandler', async (request, reply) => {
      const agent = await ctx.signedIn(request, 'agents');
      if (!agent) {
        if (await ctx.signedIn(request, 'users')) {
          throw new FrontdoorError('auth.wrong_audience', 'A Help Center account cannot open the admin console; sign in as an admin agent.');
        }
        const back = request.method === 'GET' ? request.url : '/admin';
        return reply.redirect(`/agent/login?return_to=${encodeURIComponent(back)}`, 302);
      }
      if (!agent.person.isAdmin) throw new FrontdoorError('auth.forbidden', 'Only admins can open the admin console.');
      if (request.method === 'POST') ctx.csrf.verify(request);
      admins.set(request, { person: agent.person, actor: { type: 'person', id: agent.person.id }, csrf: ctx.csrf.tokenFor(request, reply) });
    });

    const page = (path: string, render: Render) =>
      scope.get(path, async (request, reply) => send(reply, 200, await render(request, reply, adminOf(request), { notice: noticeOf(request) })));

    /** A change: run it, then 303 to where it says; a refusal re-renders `render` with it. */
    const action = (path: string, render: Render, run: (request: FastifyRequest, admin: Admin, form: Form) => Promise<string>) =>
      scope.post(path, async (request, reply) => {
        const admin = adminOf(request);
        const form = formOf(request);
        try {
          return redirectSeeOther(reply, await run(request, admin, form));
        } catch (error) {
          if (!isFrontdoorError(error) || error.status >= 500 || error.code === 'request.csrf_invalid') throw error;
          return send(reply, error.status, await render(request, reply, admin, { error, values: form }));
        }
      });

    const shell = (admin: Admin, title: string, section: AdminSection, state: ViewState, body: SafeHtml) =>
      adminPage(chrome(admin, title), section, state, body);

    scope.get('/admin', async (_request, reply) => reply.redirect('/admin/apps', 302));

    // --- Auth apps ---------------------------------------------------------------------------

    /** Custom usergroups: what group mappings and "add to usergroups" may name. */
    const customGroups = async () => (await services.usergroups.list()).filter((g) => g.system === null);

    const appsList: Render = async (_request, _reply, admin, state) => {
      const all = await services.apps.list();
      const table = (audience: Audience) => {
        const apps = all.filter((a) => a.audience === audience);
        return html`<section class="card" aria-labelledby="apps-${audience}"><h2 id="apps-${audience}">${AUDIENCE_LABEL[audience]}</h2>
<div class="table-wrap"><table class="list"><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Enabled</th><th scope="col">SSO mode</th><th scope="col">Order</th></tr></thead>
<tbody>${apps.map((a) => html`<tr${a.sso === 'automatic' ? html` class="automatic"` : ''}><td><a href="/admin/apps/${a.id}">${a.name}</a>${a.sso === 'automatic' ? html` <strong>(the Automatic app)</strong>` : ''}</td><td>${a.type}</td><td>${yesNo(a.enabled)}</td><td>${ssoBadge(a)}</td><td>${a.displayOrder}</td></tr>`)}</tbody></table></div></section>`;
      };
      return shell(admin, 'Auth apps', 'apps', state, html`<h1>Auth apps</h1>
${welcomeSteps(all, await services.articles.exist())}
<p><a class="button" href="/admin/apps/new">Install an app</a></p>
${table('users')}${table('agents')}`);
    };
    page('/admin/apps', appsList);

    // The catalogue: choose the audience and the type, then the form of that type.
    const catalogue: Render = async (request, _reply, admin, state) => {
      const query = request.query as { audience?: string; type?: string };
      const audience = AudienceParam.safeParse(state.values?.audience ?? query.audience).data;
      const type = AppTypeSchema.exclude(['password']).safeParse(state.values?.type ?? query.type).data;
      const chooser = html`<form class="stack card" method="get" action="/admin/apps/new">
<h2>1. Who signs in, and with what</h2>
${select({}, 'audience', 'Audience', audience ?? 'users', AUDIENCES.map((a) => [a, AUDIENCE_LABEL[a]] as const))}
${select({}, 'type', 'Type', type ?? 'oidc', APP_TYPES.filter((t) => t !== 'password').map((t) => [t, `${defaultAppName(t)} (${t})`] as const))}
<button type="submit" class="secondary">Continue</button></form>`;
      const form = audience && type
        ? html`<form class="stack card" method="post" action="/admin/apps">
<h2>2. ${defaultAppName(type)} for ${AUDIENCE_LABEL[audience]}</h2>
${csrfField(admin.csrf)}<input type="hidden" name="audience" value="${audience}"><input type="hidden" name="type" value="${type}">
${appFields(state, undefined, type, { audience, usergroups: await customGroups() })}
${textInput(state, 'slug', 'Slug (in the sign-in addresses)', undefined, { hint: 'Optional: lowercase letters, digits and dashes. Chosen for you when empty.' })}
<button type="submit">Install</button></form>`
        : html``;
      return shell(admin, 'Install an app', 'apps', state, html`<h1>Install an app</h1>${chooser}${form}`);
    };
    page('/admin/apps/new', catalogue);

    scope.post('/admin/apps', async (request, reply) => {
      const admin = adminOf(request);
      const form = formOf(request);
      try {
        const audience = parseInput(AudienceParam, form.audience);
        const type = parseInput(AppTypeSchema, form.type);
        const fields = appFieldsFromForm(form, type, audience, await customGroups());
        const slug = form.slug?.trim() ? parseInput(z.object({ slug: SlugSchema }), { slug: form.slug.trim() }).slug : undefined;
        const generated = type === 'jwt' && needsGeneratedSecret(fields.config ?? {}) ? generateJwtSharedSecret() : undefined;
        const created = await services.apps.create(
          { audience, type, slug, ...fields, config: generated ? { ...fields.config, sharedSecret: generated } : fields.config }, admin.actor,
        );
        if (!generated) return redirectSeeOther(reply, `/admin/apps/${created.id}?notice=installed`);
        // The generated shared secret is shown this once, so this answer is a page, not a redirect.
        return send(reply, 201, await appDetail(request, reply, admin, { notice: 'The app is installed.' }, created, { sharedSecret: generated }));
      } catch (error) {
        if (!isFrontdoorError(error) || error.status >= 500) throw error;
        return send(reply, error.status, await catalogue(request, reply, admin, { error, values: form }));
      }
    });

    const appOf = (request: FastifyRequest) => services.apps.require((request.params as { id: string }).id);

    const appDetail = async (
      request: FastifyRequest, _reply: FastifyReply, admin: Admin, state: ViewState, given?: AuthApp,
      extra: { sharedSecret?: string; report?: AppTestReport } = {},
    ) => {
      const app = given ?? (await appOf(request));
      const urls = urlsToCopy(app, services.config.publicUrl);
      const successes = app.type === 'password' ? [] : await services.ssoTraces.list({ appId: app.id, outcome: 'success', limit: 1 });
      const external = app.type !== 'password';
      return shell(admin, app.name, 'apps', state, html`<h1>${app.name}</h1>
<p class="muted">${AUDIENCE_LABEL[app.audience]} · type <code>${app.type}</code> · slug <code>${app.slug}</code> · ${app.enabled ? 'enabled' : 'turned off'} · ${ssoBadge(app)}</p>
${extra.sharedSecret ? html`<div class="notice" role="status"><p><strong>Shared secret, shown this once.</strong> Give it to the site that signs the tokens:</p>${copyList({ sharedSecret: extra.sharedSecret }, { sharedSecret: 'Shared secret (HS256)' })}</div>` : ''}
${urls ? html`<section class="card" aria-labelledby="copy-h"><h2 id="copy-h">Give these to the identity service</h2>${copyList(urls, URL_LABELS)}
${app.type === 'jwt' ? html`<p class="muted">The signing site posts its token to the JWT address; people who must sign in are sent to its remote login URL.</p><p class="notice">${JWT_EMAIL_TRUST}</p>` : ''}</section>` : ''}
${external ? html`<section class="card" aria-labelledby="test-h"><h2 id="test-h">Test</h2>
<p>The <strong>Test</strong> checks the setup without signing anyone in (discovery, keys, endpoints, credentials). A <strong>test sign-in</strong> goes through the identity service for real, in a new tab.</p>
${actionButton(`/admin/apps/${app.id}/test`, admin.csrf, 'Test the setup')}
${app.enabled ? html`<a class="button secondary" href="/sso/${app.slug}/start" target="_blank" rel="noopener">Test sign-in</a>` : html`<span class="muted">Enable the app to try a test sign-in.</span>`}
<p class="muted">${successes[0] ? html`Last successful sign-in: ${when(successes[0].finishedAt)} (trace <a href="/admin/sso-traces/${successes[0].id}"><code>${successes[0].id}</code></a>).` : 'No successful sign-in with this app yet.'}</p>
${extra.report ? testReport(extra.report) : ''}</section>
<section class="card" aria-labelledby="sso-h"><h2 id="sso-h">SSO mode</h2>
${app.sso === 'automatic'
  ? html`<p>This is the <strong>Automatic</strong> app: everyone signing in as ${app.audience === 'users' ? 'a User' : 'an Agent'} goes straight to it.</p>${actionButton(`/admin/apps/${app.id}/sso`, admin.csrf, 'Turn Automatic off', { fields: { sso: 'disabled' } })}`
  : html`<p>Disabled SSO: the login form stays${app.showButton ? ', with a button for this app' : ''}.</p><p><a href="/admin/apps/${app.id}/automatic">Make this the Automatic app…</a></p>`}
</section>` : ''}
<section class="card" aria-labelledby="edit-h"><h2 id="edit-h">Settings</h2>
<form class="stack" method="post" action="/admin/apps/${app.id}">${csrfField(admin.csrf)}
${appFields(state, app, app.type, { audience: app.audience, usergroups: await customGroups() })}
<button type="submit">Save</button></form></section>
${app.type !== 'password' ? html`<section class="card" aria-labelledby="remove-h"><h2 id="remove-h">Remove</h2><p>People who signed in with it keep their accounts; their link to it goes.</p>${actionButton(`/admin/apps/${app.id}/remove`, admin.csrf, 'Remove this app', { danger: true })}</section>` : ''}`);
    };
    page('/admin/apps/:id', (request, reply, admin, state) => appDetail(request, reply, admin, state));

    action('/admin/apps/:id', (request, reply, admin, state) => appDetail(request, reply, admin, state), async (request, admin, form) => {
      const current = await appOf(request);
      const changes = appFieldsFromForm(form, current.type, current.audience, await customGroups());
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

    action('/admin/apps/:id/remove', (request, reply, admin, state) => appDetail(request, reply, admin, state), async (request, admin) => {
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
    const automaticPage: Render = async (request, _reply, admin, state) => {
      const app = await appOf(request);
      const current = await services.apps.automaticApp(app.audience);
      const [success] = await services.ssoTraces.list({ appId: app.id, outcome: 'success', limit: 1 });
      return shell(admin, `Make ${app.name} Automatic`, 'apps', state, html`<h1>Make ${app.name} the Automatic app?</h1>
<div class="card"><p>With Automatic SSO, everyone who signs in as ${app.audience === 'users' ? 'a User' : 'an Agent'} is sent straight to ${app.name}:</p>
<ul>
${app.audience === 'users' ? html`<li><strong>All Help Center content is hidden from anonymous visitors</strong>: they are sent to ${app.name} to sign in first, and the Everyone usergroup no longer applies to them.</li>` : html`<li>The agent login form is no longer shown; admins keep the break-glass door at <code>/agent/login?local=1</code>.</li>`}
<li>${current && current.id !== app.id ? html`The current Automatic app, <strong>${current.name}</strong>, is demoted to Disabled SSO.` : 'There is no other Automatic app to demote.'}</li>
<li><strong>Everyone must have an account at ${app.name}</strong>; people who only have a password here can no longer sign in through the form.</li>
</ul>
${success
  ? html`<p>A test sign-in succeeded on ${when(success.finishedAt)}.</p>
<form method="post" action="/admin/apps/${app.id}/automatic">${csrfField(admin.csrf)}<input type="hidden" name="confirm" value="yes"><button type="submit">Make it Automatic</button></form>`
  : html`<p class="error">Not yet: this app has had no successful test sign-in. <a href="/sso/${app.slug}/start" target="_blank" rel="noopener">Test sign-in</a> (opens in a new tab), then come back.</p>`}
<p><a href="/admin/apps/${app.id}">Cancel</a></p></div>`);
    };
    page('/admin/apps/:id/automatic', automaticPage);
    action('/admin/apps/:id/automatic', automaticPage, async (request, admin, form) => {
      const app = await appOf(request);
      if (form.confirm !== 'yes') throw new FrontdoorError('request.invalid', 'Confirm the switch to Automatic.');
      const [success] = await services.ssoTraces.list({ appId: app.id, outcome: 'success', limit: 1 });
      if (!success) {
        throw new FrontdoorError('app.test_sign_in_required', `${app.name} has had no successful test sign-in yet; try one before making it Automatic.`);
      }
      await services.apps.update(app.id, { sso: 'automatic' }, admin.actor);
      return `/admin/apps/${app.id}?notice=automatic`;
    });

    // --- Registration settings -------------------------------------------------------------

    const registrationPage: Render = async (_request, _reply, admin, state) => {
      const s = await services.registration.settings();
      const automatic = await services.apps.automaticApp('users');
      const policy = (audience: Audience) => html`<fieldset><legend>Two-factor authentication for ${AUDIENCE_LABEL[audience]}</legend>
${checkbox(state, `twoFactor.${audience}.required`, 'Required for everyone', s.twoFactor[audience].required)}
${textInput(state, `twoFactor.${audience}.graceUntil`, 'Required from (grace period, ISO date and time; empty: at once)', s.twoFactor[audience].graceUntil ?? '', { placeholder: '2026-12-31T00:00:00Z' })}</fieldset>`;
      return shell(admin, 'Registration', 'registration', state, html`<h1>Registration and account settings</h1>
${automatic ? html`<p class="notice" role="status" data-state="automatic-users">Users sign in only with <a href="/admin/apps/${automatic.id}">${automatic.name}</a> (Automatic): registration, the password form and password reset are shut for Users, whatever the mode below says. New Users come from that identity service (mode and approval still apply to them); Users who have a password keep it, unused, until the app is no longer Automatic.</p>` : ''}
<form class="stack card" method="post" action="/admin/settings/registration">${csrfField(admin.csrf)}
${select(state, 'mode', 'Registration mode', s.mode, [
  ['open', 'Open: anyone may register'], ['require_registration', 'Require registration: content needs sign-in'],
  ['agent_approval', 'Agent approval: new accounts wait for approval'], ['closed', 'Closed: no self-registration'],
])}
${checkbox(state, 'emailValidation', 'Email validation: new accounts confirm their email first', s.emailValidation)}
${checkbox(state, 'everyoneEnabled', 'Everyone usergroup on: anonymous visitors read articles granted to Everyone', s.everyoneEnabled)}
${textInput(state, 'passwordMinLength', 'Password minimum length', String(s.passwordMinLength), { type: 'number', min: PASSWORD_MIN_LENGTH, max: PASSWORD_MIN_LENGTH_CEILING, required: true })}
${policy('users')}${policy('agents')}
<fieldset><legend>Alerts by email</legend>
${checkbox(state, 'alerts.newDevice', 'Sign-in from a new address', s.alerts.newDevice)}
${checkbox(state, 'alerts.failedSignIns', 'Sign-in paused after failed attempts', s.alerts.failedSignIns)}</fieldset>
<button type="submit">Save settings</button></form>`);
    };
    page('/admin/settings/registration', registrationPage);
    action('/admin/settings/registration', registrationPage, async (_request, admin, form) => {
      const number = Number(form.passwordMinLength);
      const grace = (v: string | undefined) => (v?.trim() ? v.trim() : null);
      const changes = parseInput(RegistrationSettingsChangesSchema, {
        mode: form.mode,
        emailValidation: form.emailValidation !== undefined,
        everyoneEnabled: form.everyoneEnabled !== undefined,
        passwordMinLength: form.passwordMinLength?.trim() && Number.isFinite(number) ? number : form.passwordMinLength,
        twoFactor: Object.fromEntries(AUDIENCES.map((a) => [a, { required: form[`twoFactor.${a}.required`] !== undefined, graceUntil: grace(form[`twoFactor.${a}.graceUntil`]) }])),
        alerts: { newDevice: form['alerts.newDevice'] !== undefined, failedSignIns: form['alerts.failedSignIns'] !== undefined },
      });
      await services.registration.updateSettings(changes, admin.actor);
      return '/admin/settings/registration?notice=saved';
    });

    // --- Usergroups ------------------------------------------------------------------------

    const groupAudit = (action: string): AdminChange => ({ action, targetType: 'usergroup', audience: 'users' });
    const usergroupsPage: Render = async (_request, _reply, admin, state) => {
      const groups = await services.usergroups.list();
      return shell(admin, 'Usergroups', 'usergroups', state, html`<h1>Usergroups</h1>
<p class="muted">Everyone (anonymous visitors too) and Registered (every signed-in User) are built in.</p>
<div class="table-wrap card"><table class="list"><thead><tr><th scope="col">Name</th><th scope="col">Members</th><th scope="col">Actions</th></tr></thead><tbody>
${groups.map((g) => html`<tr><td>${g.name}${g.system ? html` <span class="badge">built in</span>` : ''}</td><td>${g.system ? '—' : g.memberCount}</td><td>${g.system ? '' : html`
<form class="inline" method="post" action="/admin/usergroups/${g.id}/rename">${csrfField(admin.csrf)}<label class="visually-hidden" for="rename-${g.id}">New name for ${g.name}</label><input id="rename-${g.id}" name="name" type="text" value="${g.name}" required><button type="submit" class="secondary">Rename</button></form>
${actionButton(`/admin/usergroups/${g.id}/remove`, admin.csrf, `Delete ${g.name}`, { danger: true })}`}</td></tr>`)}
</tbody></table></div>
<form class="stack card" method="post" action="/admin/usergroups">${csrfField(admin.csrf)}<h2>New usergroup</h2>
${textInput(state, 'name', 'Name', '', { required: true })}<button type="submit">Create usergroup</button></form>`);
    };
    page('/admin/usergroups', usergroupsPage);
    action('/admin/usergroups', usergroupsPage, async (request, admin, form) => {
      const group = await services.usergroups.create(parseInput(z.object({ name: NameSchema.max(100) }), { name: form.name ?? '' }).name);
      await audited(admin, request, groupAudit('usergroup.created'), group.id);
      return '/admin/usergroups?notice=created';
    });
    action('/admin/usergroups/:id/rename', usergroupsPage, async (request, admin, form) => {
      const id = parseInput(z.uuid(), (request.params as { id: string }).id);
      await services.usergroups.rename(id, parseInput(z.object({ name: NameSchema.max(100) }), { name: form.name ?? '' }).name);
      await audited(admin, request, groupAudit('usergroup.renamed'), id);
      return '/admin/usergroups?notice=renamed';
    });
    action('/admin/usergroups/:id/remove', usergroupsPage, async (request, admin) => {
      const id = parseInput(z.uuid(), (request.params as { id: string }).id);
      await services.usergroups.remove(id);
      await audited(admin, request, groupAudit('usergroup.removed'), id);
      return '/admin/usergroups?notice=removed';
    });

    // --- Articles --------------------------------------------------------------------------

    const articleAudit = (action: string): AdminChange => ({ action, targetType: 'article', audience: 'users' });
    const articlesPage: Render = async (_request, _reply, admin, state) => {
      const [articles, groups] = await Promise.all([services.articles.list(), services.usergroups.list()]);
      const names = new Map(groups.map((g) => [g.id, g.name]));
      return shell(admin, 'Articles', 'articles', state, html`<h1>Help Center articles</h1>
<p><a class="button" href="/admin/articles/new">New article</a></p>
<div class="table-wrap card"><table class="list"><thead><tr><th scope="col">Title</th><th scope="col">Who may read it</th></tr></thead><tbody>
${articles.map((a) => html`<tr><td><a href="/admin/articles/${a.id}">${a.title}</a></td><td>${a.usergroupIds.map((id) => names.get(id) ?? id).join(', ') || html`<span class="muted">nobody (admins only)</span>`}</td></tr>`)}
</tbody></table></div>`);
    };
    page('/admin/articles', articlesPage);

    const articleForm: Render = async (request, _reply, admin, state) => {
      const id = (request.params as { id?: string }).id;
      const article = id ? await services.articles.get(id) : undefined;
      if (id && !article) throw new FrontdoorError('article.not_found', 'No such article.');
      const groups = await services.usergroups.list();
      const chosen = new Set(state.values ? (state.values.usergroupIds ?? '').split('\n') : (article?.usergroupIds ?? []));
      return shell(admin, article ? article.title : 'New article', 'articles', state, html`<h1>${article ? html`Edit “${article.title}”` : 'New article'}</h1>
<form class="stack card" method="post" action="${article ? `/admin/articles/${article.id}` : '/admin/articles'}">${csrfField(admin.csrf)}
${textInput(state, 'title', 'Title', article?.title, { required: true })}
${textArea(state, 'body', 'Body', article?.body, { rows: 10 })}
<fieldset><legend>Who may read it</legend>
${groups.map((g) => html`<label class="check"><input type="checkbox" name="usergroupIds" value="${g.id}"${chosen.has(g.id) ? html` checked` : ''}> ${g.name}</label>`)}</fieldset>
<button type="submit">${article ? 'Save article' : 'Create article'}</button></form>
${article ? html`<div class="card">${actionButton(`/admin/articles/${article.id}/remove`, admin.csrf, 'Delete this article', { danger: true })}</div>` : ''}`);
    };
    page('/admin/articles/new', articleForm);
    page('/admin/articles/:id', articleForm);
    const articleInput = (request: FastifyRequest, form: Form) => ({ title: form.title ?? '', body: form.body ?? '', usergroupIds: listOf(request, 'usergroupIds') });
    action('/admin/articles', articleForm, async (request, admin, form) => {
      const article = await services.articles.create(parseInput(z.object({ title: z.string().trim().min(1).max(300), body: z.string().max(200_000), usergroupIds: z.array(z.uuid()) }), articleInput(request, form)));
      await audited(admin, request, articleAudit('article.created'), article.id);
      return `/admin/articles/${article.id}?notice=created`;
    });
    action('/admin/articles/:id', articleForm, async (request, admin, form) => {
      const id = (request.params as { id: string }).id;
      if (!(await services.articles.get(id))) throw new FrontdoorError('article.not_found', 'No such article.');
      await services.articles.update(id, parseInput(z.object({ title: z.string().trim().min(1).max(300), body: z.string().max(200_000), usergroupIds: z.array(z.uuid()) }), articleInput(request, form)));
      await audited(admin, request, articleAudit('article.updated'), id);
      return `/admin/articles/${id}?notice=saved`;
    });
    action('/admin/articles/:id/remove', articleForm, async (request, admin) => {
      const id = (request.params as { id: string }).id;
      if (!(await services.articles.get(id))) throw new FrontdoorError('article.not_found', 'No such article.');
      await services.articles.remove(id);
      await audited(admin, request, articleAudit('article.removed'), id);
      return '/admin/articles?notice=removed';
    });

    // --- People ----------------------------------------------------------------------------

    const audienceOf = (request: FastifyRequest): Audience => {
      const parsed = AudienceParam.safeParse((request.params as { audience?: string }).audience);
      if (!parsed.success) throw new FrontdoorError('request.not_found', 'There is nothing at this address.');
      return parsed.data;
    };
    const peoplePage: Render = async (request, _reply, admin, state) => {
      const audience = audienceOf(request);
      const raw = request.query as { query?: string; after?: string };
      const query = String(raw.query ?? '').trim().slice(0, 200);
      // Too short a search has no trigram to look up (MIN_SEARCH_LENGTH): say so, list everyone.
      const tooShort = query.length > 0 && query.length < MIN_SEARCH_LENGTH;
      const after = CursorParam.parse(raw.after);
      const page = await services.people.page({ audience, query: query && !tooShort ? query : undefined, after, limit: 100 });
      const people = page.items;
      const next = page.next ? new URLSearchParams({ ...(query && !tooShort ? { query } : {}), after: page.next }) : undefined;
      const pending = audience === 'users' ? await services.accountFlows.pendingApproval() : [];
      return shell(admin, audience === 'users' ? 'Users' : 'Agents', 'people', state, html`<h1>People</h1>
<nav class="tabs" aria-label="Audience"><a href="/admin/people/users"${audience === 'users' ? html` aria-current="page"` : ''}>Users</a> <a href="/admin/people/agents"${audience === 'agents' ? html` aria-current="page"` : ''}>Agents</a></nav>
<form class="search" method="get" action="/admin/people/${audience}" role="search"><label for="people-query">Search ${audience === 'users' ? 'Users' : 'Agents'} by name or email</label><input id="people-query" name="query" type="search" value="${query}"><button type="submit" class="secondary">Search</button></form>
${tooShort ? html`<p class="error" role="alert">Search needs at least ${MIN_SEARCH_LENGTH} characters; everyone is listed.</p>` : ''}
${pending.length ? html`<p class="notice">${pending.length} waiting for approval: ${pending.map((p, i) => html`${i ? ', ' : ''}<a href="/admin/people/users/${p.id}">${p.name}</a>`)}</p>` : ''}
<div class="table-wrap card"><table class="list"><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Status</th></tr></thead><tbody>
${people.map((p) => html`<tr><td><a href="/admin/people/${audience}/${p.id}">${p.name}</a>${p.isAdmin ? html` <span class="badge">admin</span>` : ''}</td><td>${primaryEmail(p)}</td><td>${statusOf(p)}</td></tr>`)}
</tbody></table>${people.length === 0 ? html`<p class="muted">Nobody found.</p>` : ''}</div>
${next ? html`<p><a href="/admin/people/${audience}?${next.toString()}">Next page</a></p>` : ''}`);
    };
    page('/admin/people/:audience', peoplePage);

    const personOf = async (request: FastifyRequest) => {
      const audience = audienceOf(request);
      const id = parseInput(z.uuid(), (request.params as { id: string }).id);
      return services.people.require(id, audience);
    };
    const personPage: Render = async (request, _reply, admin, state) => {
      const person = await personOf(request);
      const base = `/admin/people/${person.audience}/${person.id}`;
      const [sessions, apps] = await Promise.all([services.sessions.list({ personId: person.id, audience: person.audience }), services.apps.list(person.audience)]);
      const appName = new Map(apps.map((a) => [a.id, a.name]));
      const customGroups = person.audience === 'users' ? (await services.usergroups.list()).filter((g) => !g.system) : [];
      const memberOf = new Set(person.usergroups.map((g) => g.id));
      return shell(admin, person.name, 'people', state, html`<h1>${person.name}</h1>
<p class="muted">${person.audience === 'users' ? 'User' : 'Agent'}${person.isAdmin ? ', admin' : ''} · ${statusOf(person)} · since ${when(person.createdAt)}</p>
<section class="card" aria-labelledby="emails-h"><h2 id="emails-h">Emails</h2><ul>${person.emails.map((e) => html`<li>${e.email}${e.primary ? ' (primary)' : ''}${e.verified ? ' · verified' : ' · not verified'}</li>`)}</ul></section>
<section class="card" aria-labelledby="ids-h"><h2 id="ids-h">Linked identities</h2>${person.identities.length ? html`<ul>${person.identities.map((i) => html`<li>${appName.get(i.appId) ?? i.appId}: <code>${i.subject}</code></li>`)}</ul>` : html`<p class="muted">None: ${person.hasPassword ? 'signs in with a password' : 'no sign-in yet'}.</p>`}</section>
${person.audience === 'users' ? html`<section class="card" aria-labelledby="groups-h"><h2 id="groups-h">Usergroups</h2>
<p class="muted">Everyone and Registered apply to every User; choose the custom ones.</p>
${customGroups.length ? html`<form class="stack" method="post" action="${base}/usergroups">${csrfField(admin.csrf)}<fieldset><legend>Custom usergroups of ${person.name}</legend>
${customGroups.map((g) => html`<label class="check"><input type="checkbox" name="usergroupIds" value="${g.id}"${memberOf.has(g.id) ? html` checked` : ''}> ${g.name}</label>`)}</fieldset>
<button type="submit" class="secondary">Save usergroups</button></form>` : html`<p>There are no custom usergroups yet: <a href="/admin/usergroups">create one</a>.</p>`}</section>` : ''}
<section class="card" aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>
${person.approvalPending ? html`<p>Waiting for approval.</p>${actionButton(`${base}/approve`, admin.csrf, 'Approve')} ${actionButton(`${base}/reject`, admin.csrf, 'Reject', { danger: true })}` : ''}
${person.disabled ? actionButton(`${base}/enable`, admin.csrf, 'Enable') : actionButton(`${base}/disable`, admin.csrf, 'Disable', { danger: true })}
${person.twoFactor.methods.length ? actionButton(`${base}/two-factor/remove`, admin.csrf, `Remove two-factor (${person.twoFactor.methods.join(', ')})`, { danger: true }) : html`<span class="muted">No second factor set up.</span>`}
${person.audience === 'agents' ? (person.isAdmin ? actionButton(`${base}/admin`, admin.csrf, 'Remove admin rights', { fields: { isAdmin: 'no' } }) : actionButton(`${base}/admin`, admin.csrf, 'Make admin', { fields: { isAdmin: 'yes' } })) : ''}
</section>
<section class="card" aria-labelledby="sessions-h"><h2 id="sessions-h">Sessions</h2>
${sessions.length ? html`<div class="table-wrap"><table class="list"><thead><tr><th scope="col">Started</th><th scope="col">Last seen</th><th scope="col">Address</th><th scope="col">Via</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>
${sessions.map((s) => html`<tr><td>${when(s.createdAt)}</td><td>${when(s.lastSeenAt)}</td><td>${s.ip ?? ''}</td><td>${s.appId ? (appName.get(s.appId) ?? s.appId) : 'password'}</td><td>${actionButton(`${base}/sessions/${s.id}/revoke`, admin.csrf, 'Revoke')}</td></tr>`)}
</tbody></table></div>${actionButton(`${base}/sessions/revoke-all`, admin.csrf, 'Sign out everywhere', { danger: true })}` : html`<p class="muted">No live sessions.</p>`}
</section>`);
    };
    const personPath = '/admin/people/:audience/:id';
    page(personPath, personPage);
    const personAudit = (person: Person, action: string): AdminChange => ({ action, targetType: 'person', audience: person.audience });
    const back = (person: Person, notice: string) => `/admin/people/${person.audience}/${person.id}?notice=${notice}`;
    action(`${personPath}/disable`, personPage, async (request, admin) => {
      const person = await services.people.update((await personOf(request)).id, audienceOf(request), { disabled: true });
      await services.sessions.revokeAllFor(person.id, 'person disabled by an admin');
      await audited(admin, request, personAudit(person, 'person.updated'), person.id);
      return back(person, 'disabled');
    });
    action(`${personPath}/enable`, personPage, async (request, admin) => {
      const person = await services.people.update((await personOf(request)).id, audienceOf(request), { disabled: false });
      await audited(admin, request, personAudit(person, 'person.updated'), person.id);
      return back(person, 'enabled');
    });
    action(`${personPath}/usergroups`, personPage, async (request, admin) => {
      const current = await personOf(request);
      if (current.audience !== 'users') throw new FrontdoorError('request.invalid', 'Only Users have usergroups.');
      const usergroupIds = parseInput(z.array(z.uuid()).max(200), listOf(request, 'usergroupIds'));
      const person = await services.people.update(current.id, 'users', { usergroupIds });
      await audited(admin, request, personAudit(person, 'person.updated'), person.id);
      return back(person, 'saved');
    });
    action(`${personPath}/admin`, personPage, async (request, admin, form) => {
      const current = await personOf(request);
      if (current.audience !== 'agents') throw new FrontdoorError('request.invalid', 'Only an Agent can be an admin.');
      const person = await services.people.update(current.id, 'agents', { isAdmin: form.isAdmin === 'yes' });
      await audited(admin, request, personAudit(person, 'person.updated'), person.id);
      return back(person, person.isAdmin ? 'admin_on' : 'admin_off');
    });
    action(`${personPath}/approve`, personPage, async (request, admin) => {
      const person = await services.accountFlows.approve((await personOf(request)).id, admin.actor);
      return back(person, 'approved');
    });
    action(`${personPath}/reject`, personPage, async (request, admin) => {
      const person = await personOf(request);
      await services.accountFlows.reject(person.id, admin.actor);
      return `/admin/people/${person.audience}?notice=rejected`;
    });
    action(`${personPath}/two-factor/remove`, personPage, async (request, admin) => {
      const person = await services.twoFactor.remove((await personOf(request)).id, admin.actor);
      return back(person, 'two_factor_removed');
    });
    action(`${personPath}/sessions/revoke-all`, personPage, async (request, admin) => {
      const person = await personOf(request);
      await services.sessions.revokeAllFor(person.id, 'revoked by an admin');
      await audited(admin, request, personAudit(person, 'person.sessions_revoked'), person.id);
      return back(person, 'signed_out');
    });
    action(`${personPath}/sessions/:sessionId/revoke`, personPage, async (request, admin) => {
      const person = await personOf(request);
      const sessionId = parseInput(z.uuid(), (request.params as { sessionId: string }).sessionId);
      const session = await services.sessions.get(sessionId);
      if (!session || session.personId !== person.id || !(await services.sessions.revoke(sessionId, 'revoked by an admin'))) {
        throw new FrontdoorError('session.not_found', 'No such live session.');
      }
      await audited(admin, request, { action: 'session.revoked', targetType: 'session' }, sessionId);
      return back(person, 'revoked');
    });

    // --- Audit log and SSO traces ----------------------------------------------------------

    const AuditQuery = z.object({
      action: z.string().regex(/^[a-z_.]{1,80}\*?$/, 'an action such as signin.password or signin.*').optional().catch(undefined),
      outcome: z.enum(['success', 'failure']).optional().catch(undefined),
      audience: AudienceParam.optional().catch(undefined),
      before: z.string().regex(/^\d{1,19}$/).optional().catch(undefined),
      after: CursorParam,
    });
    page('/admin/audit', async (request, _reply, admin, state) => {
      const raw = request.query as Record<string, string>;
      const filter = AuditQuery.parse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '')));
      const page = await services.audit.page({ ...filter, limit: 100 });
      const events = page.items;
      const { before: _before, after: _after, ...kept } = filter;
      const next = page.next ? new URLSearchParams({ ...Object.fromEntries(Object.entries(kept).filter(([, v]) => v)), after: page.next }) : undefined;
      return shell(admin, 'Audit log', 'audit', state, html`<h1>Audit log</h1>
<form class="filters card" method="get" action="/admin/audit" role="search">
${textInput({}, 'action', 'Action (signin.* for a prefix)', filter.action ?? raw.action ?? '')}
${select({}, 'outcome', 'Outcome', filter.outcome ?? '', [['', 'any'], ['success', 'success'], ['failure', 'failure']])}
${select({}, 'audience', 'Audience', filter.audience ?? '', [['', 'any'], ['users', 'Users'], ['agents', 'Agents']])}
<button type="submit" class="secondary">Filter</button></form>
${raw.action && !filter.action ? html`<p class="error" role="alert">The action filter was ignored: use letters, dots and underscores, with an optional * at the end.</p>` : ''}
<div class="table-wrap card"><table class="list"><thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Audience</th><th scope="col">Actor</th><th scope="col">Target</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${when(e.at)}</td><td><code>${e.action}</code></td><td>${e.outcome}${e.reason ? html` <code>${e.reason}</code>` : ''}</td><td>${e.audience ?? ''}</td><td>${e.actor.type}${e.actor.id ? html` <code>${e.actor.id.slice(0, 8)}</code>` : ''}</td><td>${e.target ? html`${e.target.type} <code>${e.target.id.slice(0, 8)}</code>` : ''}</td></tr>`)}
</tbody></table>${events.length === 0 ? html`<p class="muted">No events match.</p>` : ''}</div>
${next ? html`<p><a href="/admin/audit?${next.toString()}">Older events</a></p>` : ''}`);
    });

    scope.get('/admin/sso-traces/find', async (request, reply) => {
      const id = String((request.query as { id?: string }).id ?? '').trim();
      return reply.redirect(id ? `/admin/sso-traces/${encodeURIComponent(id)}` : '/admin/sso-traces', 302);
    });
    page('/admin/sso-traces', async (request, _reply, admin, state) => {
      const raw = request.query as Record<string, string>;
      const apps = await services.apps.list();
      const outcome = z.enum(['pending', 'success', 'failure']).optional().catch(undefined).parse(raw.outcome || undefined);
      const audience = AudienceParam.optional().catch(undefined).parse(raw.audience || undefined);
      const appId = apps.some((a) => a.id === raw.appId) ? raw.appId : undefined;
      const page = await services.ssoTraces.page({ appId, outcome, audience, after: CursorParam.parse(raw.after), limit: 100 });
      const traces = page.items;
      const next = page.next ? new URLSearchParams({ ...Object.fromEntries(Object.entries({ appId, outcome, audience }).filter(([, v]) => v) as [string, string][]), after: page.next }) : undefined;
      const appName = new Map(apps.map((a) => [a.id, a.name]));
      return shell(admin, 'SSO traces', 'sso-traces', state, html`<h1>SSO traces</h1>
<form class="filters card" method="get" action="/admin/sso-traces/find" role="search">
${textInput({}, 'id', 'Trace id (from an error page)', '')}<button type="submit" class="secondary">Open trace</button></form>
<form class="filters card" method="get" action="/admin/sso-traces">
${select({}, 'appId', 'App', appId ?? '', [['', 'any'], ...apps.filter((a) => a.type !== 'password').map((a) => [a.id, `${a.name} (${a.audience})`] as const)])}
${select({}, 'outcome', 'Outcome', outcome ?? '', [['', 'any'], ['success', 'success'], ['failure', 'failure'], ['pending', 'pending']])}
${select({}, 'audience', 'Audience', audience ?? '', [['', 'any'], ['users', 'Users'], ['agents', 'Agents']])}
<button type="submit" class="secondary">Filter</button></form>
<div class="table-wrap card"><table class="list"><thead><tr><th scope="col">Started</th><th scope="col">Trace</th><th scope="col">App</th><th scope="col">Outcome</th><th scope="col">Failed check</th></tr></thead><tbody>
${traces.map((t) => html`<tr><td>${when(t.startedAt)}</td><td><a href="/admin/sso-traces/${t.id}"><code>${t.id}</code></a></td><td>${t.appId ? (appName.get(t.appId) ?? t.appId) : ''}</td><td>${t.outcome}${t.errorCode ? html` <code>${t.errorCode}</code>` : ''}</td><td>${t.failedCheck ?? ''}</td></tr>`)}
</tbody></table>${traces.length === 0 ? html`<p class="muted">No traces match.</p>` : ''}</div>
${next ? html`<p><a href="/admin/sso-traces?${next.toString()}">Older traces</a></p>` : ''}`);
    });
    page('/admin/sso-traces/:id', async (request, _reply, admin, state) => {
      const id = String((request.params as { id: string }).id);
      if (!/^[A-Za-z0-9_-]{1,40}$/.test(id)) throw new FrontdoorError('trace.not_found', 'No such SSO trace.');
      const t = await services.ssoTraces.require(id);
      const app = t.appId ? await services.apps.find(t.appId) : undefined;
      return shell(admin, `Trace ${t.id}`, 'sso-traces', state, html`<h1>SSO trace <code>${t.id}</code></h1>
<dl class="facts card">
<dt>App</dt><dd>${app ? html`<a href="/admin/apps/${app.id}">${app.name}</a>` : (t.appId ?? '')}</dd>
<dt>Audience</dt><dd>${t.audience}</dd><dt>Started</dt><dd>${when(t.startedAt)}</dd><dt>Finished</dt><dd>${when(t.finishedAt)}</dd>
<dt>Outcome</dt><dd>${t.outcome}</dd><dt>Error code</dt><dd>${t.errorCode ? html`<code>${t.errorCode}</code>` : ''}</dd>
<dt>Failed check</dt><dd>${t.failedCheck ?? ''}</dd><dt>Detail</dt><dd>${t.detail ?? ''}</dd>
<dt>Clock skew</dt><dd>${t.clockSkewMs === null ? '' : `${t.clockSkewMs} ms`}</dd>
<dt>Person</dt><dd>${t.personId ? html`<a href="/admin/people/${t.audience}/${t.personId}">${t.personId}</a>` : ''}</dd><dt>Address</dt><dd>${t.ip ?? ''}</dd>
</dl>
${t.claims ? html`<section class="card"><h2>Claims received</h2><pre>${JSON.stringify(t.claims, null, 2)}</pre></section>` : ''}`);
    });

    // --- API keys --------------------------------------------------------------------------

    const apiKeysPage = async (admin: Admin, state: ViewState, created?: { name: string; key: string }) => {
      const keys = await services.apiKeys.list();
      return shell(admin, 'API keys', 'api-keys', state, html`<h1>API keys</h1>
${created ? html`<div class="notice" role="status"><p><strong>The key “${created.name}”, shown this once.</strong> Copy it now; only its hash is kept.</p>${copyList({ key: created.key }, { key: 'API key' })}</div>` : ''}
<div class="table-wrap card"><table class="list"><thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead><tbody>
${keys.map((k) => html`<tr><td>${k.name}</td><td>${when(k.createdAt)}</td><td>${when(k.lastUsedAt) || 'never'}</td><td>${k.revoked ? 'revoked' : actionButton(`/admin/api-keys/${k.id}/revoke`, admin.csrf, `Revoke ${k.name}`, { danger: true })}</td></tr>`)}
</tbody></table></div>
<form class="stack card" method="post" action="/admin/api-keys">${csrfField(admin.csrf)}<h2>New API key</h2>
${textInput(state, 'name', 'Name (what it is for)', '', { required: true })}<button type="submit">Create API key</button></form>`);
    };
    page('/admin/api-keys', (_request, _reply, admin, state) => apiKeysPage(admin, state));
    // The key is shown once, in the answer to the POST itself: a redirect would have to carry it.
    scope.post('/admin/api-keys', async (request, reply) => {
      const admin = adminOf(request);
      const form = formOf(request);
      try {
        const { key, apiKey } = await services.apiKeys.create(form.name ?? '', admin.person.id);
        await audited(admin, request, { action: 'apikey.created', targetType: 'api_key' }, apiKey.id);
        return send(reply, 201, await apiKeysPage(admin, {}, { name: apiKey.name, key }));
      } catch (error) {
        if (!isFrontdoorError(error) || error.status >= 500) throw error;
        return send(reply, error.status, await apiKeysPage(admin, { error, values: form }));
      }
    });
    action('/admin/api-keys/:id/revoke', (_request, _reply, admin, state) => apiKeysPage(admin, state), async (request, admin) => {
      const id = parseInput(z.uuid(), (request.params as { id: string }).id);
      await services.apiKeys.revoke(id);
      await audited(admin, request, { action: 'apikey.revoked', targetType: 'api_key' }, id);
      return '/admin/api-keys?notice=revoked';
    });
  });
}

function statusOf(person: Person): string {
  if (person.disabled) return 'disabled';
  if (person.approvalPending) return 'waiting for approval';
  if (person.emailValidationPending) return 'email not confirmed';
  return 'active';
}

function testReport(report: AppTestReport): SafeHtml {
  return html`<div class="${report.ok ? 'notice' : 'error'}" role="status"><p><strong>${report.ok ? 'Every check passed.' : 'Some checks failed.'}</strong></p>
<ul class="checks">${report.checks.map((c) => html`<li class="${c.ok ? 'ok' : 'failed'}"><strong>${c.ok ? 'ok' : 'failed'}</strong> · ${c.name}: ${c.detail}</li>`)}</ul></div>`;
}

const URL_LABELS: Record<string, string> = {
  start: 'Sign-in start (Test sign-in)', callback: 'Redirect URI (callback)', backchannelLogout: 'Back-channel logout URI',
  entityId: 'SP entity id', acs: 'ACS (Assertion Consumer Service) URL', slo: 'Single logout URL', metadata: 'SP metadata URL', jwt: 'JWT endpoint',
};

// --- The per-type form of an auth app ---------------------------------------------------------

type ConfigField = { key: string; label: string; kind: 'text' | 'url' | 'secret' | 'textarea' | 'algorithm'; required?: boolean; hint?: string };
const CLIENT: ConfigField[] = [
  { key: 'clientId', label: 'Client id', kind: 'text', required: true },
  { key: 'clientSecret', label: 'Client secret', kind: 'secret' },
];
const CONFIG_FIELDS: Record<AppType, ConfigField[]> = {
  password: [],
  oidc: [{ key: 'issuer', label: 'Issuer URL', kind: 'url', required: true, hint: 'Its discovery document is read from /.well-known/openid-configuration.' }, ...CLIENT],
  google: CLIENT,
  microsoft: [{ key: 'tenant', label: 'Directory (tenant) id', kind: 'text', required: true }, ...CLIENT],
  okta: [{ key: 'domain', label: 'Okta domain', kind: 'text', required: true, hint: 'e.g. acme.okta.com' }, ...CLIENT],
  onelogin: [{ key: 'domain', label: 'OneLogin domain', kind: 'text', required: true, hint: 'e.g. acme.onelogin.com' }, ...CLIENT],
  saml: [
    { key: 'idpMetadataUrl', label: 'IdP metadata URL', kind: 'url', hint: 'Or give the entity id, SSO URL and certificate below.' },
    { key: 'idpEntityId', label: 'IdP entity id', kind: 'text' },
    { key: 'idpSsoUrl', label: 'IdP SSO URL', kind: 'url' },
    { key: 'idpCertificate', label: 'IdP signing certificate (PEM)', kind: 'textarea' },
  ],
  jwt: [
    { key: 'remoteLoginUrl', label: 'Remote login URL', kind: 'url', required: true, hint: 'Where people who must sign in are sent, with return_to.' },
    { key: 'algorithms', label: 'Algorithm', kind: 'algorithm', hint: 'HS256: Frontdoor generates a shared secret and shows it once.' },
    { key: 'publicKey', label: 'Public key (PEM or JWK), for RS256, ES256, EdDSA', kind: 'textarea' },
    { key: 'jwksUrl', label: 'Or a JWKS URL', kind: 'url' },
  ],
};

function appFields(state: ViewState, app: AuthApp | undefined, type: AppType, context: { audience: Audience; usergroups: { id: string; name: string }[] }): SafeHtml {
  const config = app?.config ?? {};
  const fields = CONFIG_FIELDS[type];
  const fieldKeys = new Set<string>([...fields.map((f) => f.key), ...TRUST_KEYS]);
  const rest = Object.fromEntries(Object.entries(config).filter(([key]) => !fieldKeys.has(key) && key !== 'buttonText' && !/^sp(Next|Previous)?Certificate$/.test(key)));
  const external = type !== 'password';
  return html`${textInput(state, 'name', 'Name', app?.name ?? defaultAppName(type), { required: true })}
${checkbox(state, 'enabled', 'Enabled', app?.enabled ?? true)}
${external ? html`${checkbox(state, 'showButton', 'Show a “Sign in with …” button on the login form', app?.showButton ?? true)}
${textInput(state, 'config.buttonText', 'Button text', typeof config.buttonText === 'string' ? config.buttonText : '', { placeholder: `Sign in with ${app?.name ?? defaultAppName(type)}` })}` : ''}
${textInput(state, 'displayOrder', 'Display order (lower comes first)', String(app?.displayOrder ?? 0), { type: 'number', min: -1000, max: 1000 })}
${fields.map((f) => {
  const name = `config.${f.key}`;
  const value = config[f.key];
  if (f.kind === 'algorithm') {
    const current = Array.isArray(value) && typeof value[0] === 'string' ? value[0] : 'HS256';
    return select(state, name, f.label, current, JWT_ALGORITHMS.map((a) => [a, a] as const), f.hint);
  }
  if (f.kind === 'textarea') return textArea(state, name, f.label, typeof value === 'string' ? value : '', { hint: f.hint });
  if (f.kind === 'secret') {
    const set = app?.secretsSet.includes(f.key);
    return textInput(state, name, f.label, '', { type: 'password', hint: set ? 'Set. Leave empty to keep it.' : f.hint, autocomplete: 'new-password' });
  }
  return textInput(state, name, f.label, typeof value === 'string' ? value : '', { type: f.kind === 'url' ? 'url' : 'text', required: Boolean(f.required) && !app, hint: f.hint });
})}
${external ? trustFields(state, { audience: context.audience, type, config: app?.config, usergroups: context.usergroups }) : ''}
${external ? textArea(state, 'configJson', 'Other settings (JSON; the fields above win)', Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '', {
  rows: 6, hint: 'Claim names, clock tolerance, logout and the rest: see the docs of this app type. Secrets are never shown.',
}) : ''}`;
}

/** The form's app fields as the registry takes them; empty fields are left out (a secret keeps its value). */
function appFieldsFromForm(form: Form, type: AppType, audience: Audience, usergroups: { id: string; name: string }[]) {
  let config: Record<string, unknown> = {};
  if (form.configJson?.trim()) {
    try {
      const parsed: unknown = JSON.parse(form.configJson);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      config = parsed as Record<string, unknown>;
    } catch {
      throw new FrontdoorError('app.config_invalid', 'Other settings must be a JSON object, like {"trustEmail": false}.', {
        fields: [{ field: 'configJson', problem: 'not a JSON object' }],
      });
    }
  }
  if (type !== 'password') config = { ...config, ...trustConfigFromForm(form, audience, usergroups) };
  for (const f of [...CONFIG_FIELDS[type], { key: 'buttonText', kind: 'text' } as ConfigField]) {
    const value = form[`config.${f.key}`]?.trim();
    if (!value) continue;
    config[f.key] = f.kind === 'algorithm' ? [value] : value;
  }
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
