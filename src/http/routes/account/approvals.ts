import { t } from '../../../i18n/t.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import { primaryEmail } from '../../../core/people.ts';
import type { HttpContext, SignedInPerson } from '../../context.ts';
import { approvalsPage } from '../../pages/account.ts';
import { send } from './doors.ts';

// Agent approval of new Users, in the agent console: who waits, approve, reject.

export function registerApprovals(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const agentOrThrow = async (request: FastifyRequest) => {
    const agent = await ctx.signedIn(request, 'agents');
    if (!agent) throw new FrontdoorError('auth.required', 'Sign in as an agent first.');
    return agent;
  };
  const renderApprovals = async (request: FastifyRequest, reply: FastifyReply, agent: SignedInPerson, notice?: string) =>
    send(reply, 200, approvalsPage(
      { title: t('approvals.title'), area: 'agent', signedInAs: primaryEmail(agent.person), csrfToken: ctx.csrf.tokenFor(request, reply) },
      { people: await services.approvals.pendingApproval(), csrfToken: ctx.csrf.tokenFor(request, reply), notice },
    ));

  app.get('/agent/approvals', async (request, reply) => {
    const agent = await ctx.signedIn(request, 'agents');
    if (!agent) return reply.redirect('/agent/login?return_to=%2Fagent%2Fapprovals', 302);
    return renderApprovals(request, reply, agent);
  });

  app.post<{ Params: { id: string; verdict: string } }>('/agent/approvals/:id/:verdict', async (request, reply) => {
    ctx.csrf.verify(request);
    const agent = await agentOrThrow(request);
    if (!/^[0-9a-f-]{36}$/.test(request.params.id)) throw new FrontdoorError('person.not_found', 'No such person.');
    const actor = { type: 'person' as const, id: agent.person.id };
    if (request.params.verdict === 'approve') {
      const person = await services.approvals.approve(request.params.id, actor);
      return renderApprovals(request, reply, agent, `${person.name} is approved and was told by email.`);
    }
    if (request.params.verdict === 'reject') {
      await services.approvals.reject(request.params.id, actor);
      return renderApprovals(request, reply, agent, t('approvals.rejected'));
    }
    throw new FrontdoorError('request.not_found', 'There is nothing at this address.');
  });
}
