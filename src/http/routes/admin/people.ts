import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminChange } from '../../../core/audit.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { MIN_SEARCH_LENGTH, type Person } from '../../../core/people.ts';
import { EmailSchema, NameSchema, parseInput } from '../../../core/validation.ts';
import { peoplePage, personPage } from '../../pages/admin/people.ts';
import { audienceParamOf, CursorParam, frameOf, listOf, type Admin, type AdminConsole, type Render } from './console.ts';
import { registerPeopleImportRoutes } from './people-import.ts';
import { currentPage } from '../../page-context.ts';
import { t } from '../../../i18n/t.ts';

// People: the lists of Users and Agents with the form that adds one, and what an admin does to
// one person (name and email, disable, usergroups, admin rights, a reset link, approval, second
// factors, sessions). An email an admin types is unproven unless the admin ticks "verified"
// (invariant 5: an external sign-in joins only an account whose email was proven).

const personPath = '/admin/people/:audience/:id';
const personAudit = (person: Person, action: string): AdminChange => ({ action, targetType: 'person', audience: person.audience });
const back = (person: Person, notice: string) => `/admin/people/${person.audience}/${person.id}?notice=${notice}`;

const NewPersonForm = z.object({ name: NameSchema, email: EmailSchema });
const ProfileForm = z.object({ name: NameSchema, email: EmailSchema });
const ticked = (value: string | undefined) => value !== undefined && value !== '';

export function registerPeopleRoutes(sections: AdminConsole): void {
  const { services, page, action, audited, confirmed } = sections;
  registerPeopleImportRoutes(sections);
  const list: Render = async (request, _reply, admin, state) => {
    const audience = audienceParamOf(request);
    const raw = request.query as { query?: string; after?: string };
    const query = String(raw.query ?? '').trim().slice(0, 200);
    // Too short a search has no trigram to look up (MIN_SEARCH_LENGTH): say so, list everyone.
    const tooShort = query.length > 0 && query.length < MIN_SEARCH_LENGTH;
    const after = CursorParam.parse(raw.after);
    const found = await services.people.page({ audience, query: query && !tooShort ? query : undefined, after, limit: 100 });
    const next = found.next ? new URLSearchParams({ ...(query && !tooShort ? { query } : {}), after: found.next }) : undefined;
    const pending = audience === 'users' ? await services.approvals.pendingApproval() : [];
    const customGroups = audience === 'users' ? (await services.usergroups.list()).filter((g) => !g.system) : [];
    return peoplePage(frameOf(admin, state), { audience, query, tooShort, people: found.items, next, pending, customGroups });
  };
  page('/admin/people/:audience', list);
  action('/admin/people/:audience', list, async (request, admin, form) => {
    const audience = audienceParamOf(request);
    const input = parseInput(NewPersonForm, { name: form.name ?? '', email: form.email ?? '' });
    const isAdmin = audience === 'agents' && ticked(form.isAdmin);
    const created = await services.people.create({
      audience, ...input, emailVerified: ticked(form.emailVerified), isAdmin,
      ...(audience === 'users' ? { usergroupIds: parseInput(z.array(z.uuid()).max(200), listOf(request, 'usergroupIds')) } : {}),
    });
    await audited(admin, request, personAudit(created, 'person.created'), created.id);
    if (isAdmin) await audited(admin, request, personAudit(created, 'person.admin_granted'), created.id);
    return back(created, 'created');
  });

  const personOf = async (request: FastifyRequest) => {
    const audience = audienceParamOf(request);
    const id = parseInput(z.uuid(), (request.params as { id: string }).id);
    return services.people.require(id, audience);
  };
  const person: Render = async (request, _reply, admin, state) => {
    const shown = await personOf(request);
    const [sessions, apps] = await Promise.all([services.sessions.list({ personId: shown.id, audience: shown.audience }), services.apps.list(shown.audience)]);
    const customGroups = shown.audience === 'users' ? (await services.usergroups.list()).filter((g) => !g.system) : [];
    return personPage(frameOf(admin, state), shown, sessions, apps, customGroups);
  };
  page(personPath, person);

  action(`${personPath}/profile`, person, async (request, admin, form) => {
    const current = await personOf(request);
    const input = parseInput(ProfileForm, { name: form.name ?? '', email: form.email ?? '' });
    // The primary address is replaced, the others kept; an unchanged address keeps its proof.
    const others = current.emails.filter((e) => !e.primary && e.email.toLowerCase() !== input.email.toLowerCase());
    const changed = await services.people.update(current.id, current.audience, {
      name: input.name,
      emails: [{ email: input.email, primary: true, verified: ticked(form.emailVerified) }, ...others.map((e) => ({ email: e.email }))],
    });
    await audited(admin, request, personAudit(changed, 'person.updated'), changed.id);
    return back(changed, 'saved');
  });
  action(`${personPath}/password-reset`, person, async (request, admin) => {
    const current = await personOf(request);
    const sent = await services.passwordReset.sendResetLinkByAdmin({ personId: current.id, audience: current.audience, actor: admin.actor, ip: request.ip });
    return back(sent, 'reset_sent');
  });

  /** The confirmation of a destructive action on the person in the path. */
  const confirmFor = (title: (p: Person) => string, button: () => string, takes: (p: Person) => Promise<string[]> | string[]) =>
    async (request: FastifyRequest) => {
      const shown = await personOf(request);
      return { section: 'people' as const, title: title(shown), button: button(), cancel: back(shown, '').replace(/\?notice=$/, ''), takes: await takes(shown) };
    };
  const liveSessions = async (p: Person) => (await services.sessions.list({ personId: p.id, audience: p.audience })).length;
  const sessionsLine = (n: number) => t('console.confirm.sessionsEnd', { count: n });

  confirmed(`${personPath}/disable`, confirmFor((p) => t('console.confirm.disableTitle', { name: p.name }), () => t('console.person.disable'), async (p) => [
    sessionsLine(await liveSessions(p)), t('console.confirm.disableTakes'),
  ]), async (request, admin) => {
    const changed = await services.people.update((await personOf(request)).id, audienceParamOf(request), { disabled: true });
    await services.sessions.revokeAllFor(changed.id, 'person disabled by an admin');
    await audited(admin, request, personAudit(changed, 'person.updated'), changed.id);
    return back(changed, 'disabled');
  });
  action(`${personPath}/enable`, person, async (request, admin) => {
    const changed = await services.people.update((await personOf(request)).id, audienceParamOf(request), { disabled: false });
    await audited(admin, request, personAudit(changed, 'person.updated'), changed.id);
    return back(changed, 'enabled');
  });
  action(`${personPath}/usergroups`, person, async (request, admin) => {
    const current = await personOf(request);
    if (current.audience !== 'users') throw new FrontdoorError('request.invalid', 'Only Users have usergroups.');
    const usergroupIds = parseInput(z.array(z.uuid()).max(200), listOf(request, 'usergroupIds'));
    const changed = await services.people.update(current.id, 'users', { usergroupIds });
    await audited(admin, request, personAudit(changed, 'person.updated'), changed.id);
    return back(changed, 'saved');
  });
  const setAdmin = async (request: FastifyRequest, admin: Admin, isAdmin: boolean) => {
    const current = await personOf(request);
    if (current.audience !== 'agents') throw new FrontdoorError('request.invalid', 'Only an Agent can be an admin.');
    const changed = await services.people.update(current.id, 'agents', { isAdmin });
    await audited(admin, request, personAudit(changed, changed.isAdmin ? 'person.admin_granted' : 'person.admin_revoked'), changed.id);
    return back(changed, changed.isAdmin ? 'admin_on' : 'admin_off');
  };
  // Granting is not destructive; taking admin rights away is, so it goes through its confirmation.
  action(`${personPath}/admin`, person, async (request, admin, form) =>
    form.isAdmin === 'yes' ? setAdmin(request, admin, true) : `${request.url.split('?')[0]}/remove`);
  confirmed(`${personPath}/admin/remove`, confirmFor((p) => t('console.confirm.adminTitle', { name: p.name }), () => t('console.person.removeAdmin'), () => [
    t('console.confirm.adminTakes'),
  ]), (request, admin) => setAdmin(request, admin, false));
  action(`${personPath}/approve`, person, async (request, admin) => {
    const approved = await services.approvals.approve((await personOf(request)).id, admin.actor);
    return back(approved, 'approved');
  });
  confirmed(`${personPath}/reject`, confirmFor((p) => t('console.confirm.rejectTitle', { name: p.name }), () => t('console.person.reject'), () => [
    t('console.confirm.rejectTakes'),
  ]), async (request, admin) => {
    const rejected = await personOf(request);
    await services.approvals.reject(rejected.id, admin.actor);
    return `/admin/people/${rejected.audience}?notice=rejected`;
  });
  confirmed(`${personPath}/two-factor/remove`, confirmFor((p) => t('console.confirm.twoFactorTitle', { name: p.name }), () => t('console.confirm.twoFactorButton'), (p) => [
    p.twoFactor.methods.length ? t('console.confirm.twoFactorTakes', { methods: new Intl.ListFormat(currentPage().language, { type: 'conjunction' }).format(p.twoFactor.methods) }) : t('console.confirm.twoFactorTakesAll'),
  ]), async (request, admin) => {
    const changed = await services.twoFactor.remove((await personOf(request)).id, admin.actor);
    return back(changed, 'two_factor_removed');
  });
  confirmed(`${personPath}/sessions/revoke-all`, confirmFor((p) => t('console.confirm.signOutTitle', { name: p.name }), () => t('console.person.signOutEverywhere'), async (p) => [
    sessionsLine(await liveSessions(p)),
  ]), async (request, admin) => {
    const signedOut = await personOf(request);
    await services.sessions.revokeAllFor(signedOut.id, 'revoked by an admin');
    await audited(admin, request, personAudit(signedOut, 'person.sessions_revoked'), signedOut.id);
    return back(signedOut, 'signed_out');
  });
  confirmed(`${personPath}/sessions/:sessionId/revoke`, confirmFor((p) => t('console.confirm.sessionTitle', { name: p.name }), () => t('console.person.revoke'), () => [
    t('console.confirm.sessionTakes'),
  ]), async (request, admin) => {
    const owner = await personOf(request);
    const sessionId = parseInput(z.uuid(), (request.params as { sessionId: string }).sessionId);
    const session = await services.sessions.get(sessionId);
    if (!session || session.personId !== owner.id || !(await services.sessions.revoke(sessionId, 'revoked by an admin'))) {
      throw new FrontdoorError('session.not_found', 'No such live session.');
    }
    await audited(admin, request, { action: 'session.revoked', targetType: 'session' }, sessionId);
    return back(owner, 'revoked');
  });
  // Remembered devices (issue 18 part 8): every browser of this person asks for the second factor again.
  // Confirmed on a page first: it takes something the person would notice at their next sign-in.
  confirmed(`${personPath}/devices/forget`, confirmFor((p) => t('console.confirm.devicesTitle', { name: p.name }), () => t('console.person.forgetDevices'), () => [
    t('console.confirm.devicesTakes'),
  ]), async (request, admin) => {
    const owner = await personOf(request);
    await services.rememberedDevices.revokeAllFor(owner, 'revoked by an admin', admin.actor);
    return back(owner, 'devices_forgotten');
  });
}
