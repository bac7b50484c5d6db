import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../../context.ts';
import { registerAccountDevices } from './account-devices.ts';
import { accountPageOf, registerAccountPage } from './account-page.ts';
import { registerAccountSessions } from './account-sessions.ts';
import { registerAccountTwoFactor } from './account-two-factor.ts';
import { registerAdminBypass } from './admin-bypass.ts';
import { registerApprovals } from './approvals.ts';
import { ACCOUNT_DOORS, doorRoutes } from './doors.ts';
import { registerEmailValidation } from './email-validation.ts';
import { registerPasswordReset } from './password-reset.ts';
import { registerTwoFactorChallenge } from './two-factor-challenge.ts';
import { registerTwoFactorSetupAtSignIn } from './two-factor-setup.ts';
import { registerReloadFallbacks } from '../reload-fallbacks.ts';

// Everything around a sign-in that is not the sign-in form itself (routes/sign-in.ts), one
// file per job: per door the 2FA steps, password reset and the account page; once, email
// validation, the admin bypass link and approvals.

export function registerAccountRoutes(app: FastifyInstance, ctx: HttpContext): void {
  for (const door of ACCOUNT_DOORS) {
    const routes = doorRoutes(app, ctx, door);
    registerTwoFactorChallenge(routes);
    registerTwoFactorSetupAtSignIn(routes);
    registerPasswordReset(routes);
    const renderAccount = accountPageOf(routes);
    registerAccountPage(routes, renderAccount);
    registerAccountSessions(routes, renderAccount);
    registerAccountDevices(routes, renderAccount);
    registerAccountTwoFactor(routes, renderAccount);
  }
  registerEmailValidation(app, ctx);
  registerAdminBypass(app, ctx);
  registerApprovals(app, ctx);
  registerReloadFallbacks(app);
}
