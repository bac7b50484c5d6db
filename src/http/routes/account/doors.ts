import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Audience } from '../../../core/audience.ts';
import { FrontdoorError, isFrontdoorError } from '../../../core/errors.ts';
import { primaryEmail, type Person } from '../../../core/people.ts';
import { safeReturnTo } from '../../../core/return-to.ts';
import type { Services } from '../../../core/services.ts';
import type { Session } from '../../../core/sessions.ts';
import { readSessionCookie } from '../../cookies.ts';
import type { HttpContext, SignedInPerson } from '../../context.ts';
import type { SafeHtml } from '../../html.ts';
import type { PageChrome } from '../../pages/layout.ts';

// What the account routes of every job share: the two doors, the form as strings, and how a
// refusal a person can fix gets the form again.

/** The account pages of one audience: the Help Center's for Users, the console's for Agents. */
export type AccountDoor = { audience: Audience; area: 'help-center' | 'agent'; base: '' | '/agent'; loginPath: string; homePath: string };

export const ACCOUNT_DOORS: AccountDoor[] = [
  { audience: 'users', area: 'help-center', base: '', loginPath: '/login', homePath: '/' },
  { audience: 'agents', area: 'agent', base: '/agent', loginPath: '/agent/login', homePath: '/agent' },
];

export type Notices = { error?: FrontdoorError; notice?: string };

export const field = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};
export const errorModel = (error: FrontdoorError | undefined) => error && { code: error.code, message: error.message };
export const send = (reply: FastifyReply, status: number, page: SafeHtml) => reply.code(status).type('text/html; charset=utf-8').send(page.value);

/** Refusals a person can fix get the form again with the reason; anything else the error page. */
export const refusal = (error: unknown): FrontdoorError => {
  if (!isFrontdoorError(error) || error.status >= 500) throw error;
  return error;
};
export const withRetryAfter = (reply: FastifyReply, error: FrontdoorError) => {
  const seconds = error.details?.retryAfterSeconds;
  if (typeof seconds === 'number') reply.header('retry-after', String(seconds));
};

/** One door's routes: the door, and the helpers that depend on it. */
export type DoorRoutes = {
  app: FastifyInstance;
  ctx: HttpContext;
  services: Services;
  door: AccountDoor;
  chrome(request: FastifyRequest, reply: FastifyReply, title: string, person?: Person): PageChrome;
  returnToOf(raw: unknown): string;
  /** The session waiting for its second factor (or its set-up), with its person. */
  pendingOf(request: FastifyRequest, restriction: Session['restriction']): Promise<{ session: Session; person: Person }>;
  requireSignedIn(request: FastifyRequest): Promise<SignedInPerson>;
};

export function doorRoutes(app: FastifyInstance, ctx: HttpContext, door: AccountDoor): DoorRoutes {
  const { services } = ctx;
  return {
    app, ctx, services, door,
    chrome: (request, reply, title, person) => ({
      title, area: door.area, ...(person ? { signedInAs: primaryEmail(person), csrfToken: ctx.csrf.tokenFor(request, reply) } : {}),
    }),
    returnToOf: (raw) => safeReturnTo(raw, services.config.publicUrl, door.homePath),
    async pendingOf(request, restriction) {
      const token = readSessionCookie(request, services.config, door.audience);
      const session = token ? await services.sessions.resolveRestricted(token, door.audience) : undefined;
      const person = session && (await services.people.get(session.personId));
      if (!session || !person || session.restriction !== restriction) {
        throw new FrontdoorError('auth.required', 'This sign-in has expired or was already completed. Please sign in again.');
      }
      return { session, person };
    },
    async requireSignedIn(request) {
      const signedIn = await ctx.signedIn(request, door.audience);
      if (!signedIn) throw new FrontdoorError('auth.required', 'Please sign in first.');
      return signedIn;
    },
  };
}
