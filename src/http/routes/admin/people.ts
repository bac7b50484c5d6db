import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminChange } from '../../../core/audit.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { MIN_SEARCH_LENGTH, type Person } from '../../../core/people.ts';
import { parseInput } from '../../../core/validation.ts';
import { peoplePage, personPage } from '../../pages/admin/people.ts';
import { audienceParamOf, CursorParam, frameOf, listOf, type AdminConsole, type Render } from './console.ts';

// People: the lists of Users and Agents, and what an admin does to one person (disable,
// usergroups, admin rights, approval, second factors, sessions).

const personPath = '/admin/people/:audience/:id';
const personAudit = (person: Person, action: string): AdminChange => ({ action, targetType: 'person', audience: person.audience });
const back = (person: Person, notice: string) => `/admin/people/${person.audience}/${person.id}?notice=${notice}`;

export function registerPeopleRoutes({ services, page, action, audited }: AdminConsole): void {
  page('/admin/people/:audience', async (request, _reply, admin, state) => {
    const audience = audienceParamOf(request);
    const raw = request.query as { query?: string; after?: string };
    const query = String(raw.query ?? '').trim().slice(0, 200);
    // Too short a search has no trigram to look up (MIN_SEARCH_LENGTH): say so, list everyone.
    const tooShort = query.length > 0 && query.length < MIN_SEARCH_LENGTH;
    const after = CursorParam.parse(raw.after);
    const found = await services.people.page({ audience, query: query && !tooShort ? query : undefined, after, limit: 100 });
    const next = found.next ? new URLSearchParams({ ...(query && !tooShort ? { query } : {}), after: found.next }) : undefined;
    const pending = audience === 'users' ? await services.approvals.pendingApproval() : [];
    return peoplePage(frameOf(admin, state), { audience, query, tooShort, people: found.items, next, pending });
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

  action(`${personPath}/disable`, person, async (request, admin) => {
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
  action(`${personPath}/admin`, person, async (request, admin, form) => {
    const current = await personOf(request);
    if (current.audience !== 'agents') throw new FrontdoorError('request.invalid', 'Only an Agent can be an admin.');
    const changed = await services.people.update(current.id, 'agents', { isAdmin: form.isAdmin === 'yes' });
    await audited(admin, request, personAudit(changed, 'person.updated'), changed.id);
    return back(changed, changed.isAdmin ? 'admin_on' : 'admin_off');
  });
  action(`${personPath}/approve`, person, async (request, admin) => {
    const approved = await services.approvals.approve((await personOf(request)).id, admin.actor);
    return back(approved, 'approved');
  });
  action(`${personPath}/reject`, person, async (request, admin) => {
    const rejected = await personOf(request);
    await services.approvals.reject(rejected.id, admin.actor);
    return `/admin/people/${rejected.audience}?notice=rejected`;
  });
  action(`${personPath}/two-factor/remove`, person, async (request, admin) => {
    const changed = await services.twoFactor.remove((await personOf(request)).id, admin.actor);
    return back(changed, 'two_factor_removed');
  });
  action(`${personPath}/sessions/revoke-all`, person, async (request, admin) => {
    const signedOut = await personOf(request);
    await services.sessions.revokeAllFor(signedOut.id, 'revoked by an admin');
    await audited(admin, request, personAudit(signedOut, 'person.sessions_revoked'), signedOut.id);
    return back(signedOut, 'signed_out');
  });
  action(`${personPath}/sessions/:sessionId/revoke`, person, async (request, admin) => {
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
  action(`${personPath}/devices/forget`, person, async (request, admin) => {
    const owner = await personOf(request);
    await services.rememberedDevices.revokeAllFor(owner, 'revoked by an admin', admin.actor);
    return back(owner, 'devices_forgotten');
  });
}
