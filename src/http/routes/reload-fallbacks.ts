import type { FastifyInstance } from 'fastify';
import { ACCOUNT_DOORS } from './account/doors.ts';

// Addresses that only take a POST, opened with a GET: a reload after the browser dropped the
// form data, a bookmarked result page, the address typed again (issue 18 part 4). A result
// shown once (recovery codes, a new API key) cannot be shown again, so each answers 303 to the
// page the form belongs to instead of "not found"; nothing is changed by the GET.

type Fallback = { path: string; to: (params: Record<string, string>) => string };

const ACCOUNT_FALLBACKS: Fallback[] = ACCOUNT_DOORS.flatMap((door) => [
  ...['identities/link', 'password', 'sessions/end-others', 'sessions/:id/end', '2fa/setup', '2fa/email', '2fa/confirm', '2fa/recovery-codes', '2fa/remove', 'language']
    .map((tail) => ({ path: `${door.base}/account/${tail}`, to: () => `${door.base}/account` })),
  { path: `${door.loginPath}/2fa/email`, to: () => `${door.loginPath}/2fa` },
  { path: `${door.loginPath}/2fa/setup/email`, to: () => `${door.loginPath}/2fa/setup` },
]);

const person = (p: Record<string, string>) => `/admin/people/${encodeURIComponent(p.audience ?? '')}/${encodeURIComponent(p.id ?? '')}`;
// The admin console's own checks (index.ts) run first: these are registered in its scope.
export const CONSOLE_FALLBACKS: Fallback[] = [
  ...['profile', 'password-reset', 'enable', 'usergroups', 'approve'].map((tail) => ({ path: `/admin/people/:audience/:id/${tail}`, to: person })),
  { path: '/admin/people/users/import/dry-run', to: () => '/admin/people/users/import' },
  { path: '/admin/people/users/import/apply', to: () => '/admin/people/users/import' },
  { path: '/admin/usergroups/:id/rename', to: () => '/admin/usergroups' },
  ...['preview', 'test'].map((tail) => ({ path: `/admin/emails/:kind/:language/${tail}`, to: (p: Record<string, string>) => `/admin/emails/${encodeURIComponent(p.kind ?? '')}/${encodeURIComponent(p.language ?? '')}` })),
  // The Test's POST itself (its report has an address of its own, /test/:resultId).
  { path: '/admin/apps/:id/test', to: (p) => `/admin/apps/${encodeURIComponent(p.id ?? '')}` },
  // A pasted token is checked, never stored: its report cannot be shown again.
  { path: '/admin/apps/:id/test-token', to: (p) => `/admin/apps/${encodeURIComponent(p.id ?? '')}` },
];

export function registerReloadFallbacks(app: FastifyInstance, fallbacks: readonly Fallback[] = ACCOUNT_FALLBACKS): void {
  for (const { path, to } of fallbacks) {
    app.get(path, async (request, reply) => reply.code(303).header('location', to(request.params as Record<string, string>)).send());
  }
}
