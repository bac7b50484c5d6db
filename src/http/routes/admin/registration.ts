import { RegistrationSettingsChangesSchema } from '../../../core/registration.ts';
import { parseInput } from '../../../core/validation.ts';
import { CONSOLE_AUDIENCES } from '../../pages/admin/blocks.ts';
import { registrationPage } from '../../pages/admin/registration.ts';
import { frameOf, type AdminConsole, type Render } from './console.ts';

// Registration and account settings: one form, one save.

export function registerRegistrationRoutes({ services, page, action }: AdminConsole): void {
  const settings: Render = async (_request, _reply, admin, state) =>
    registrationPage(frameOf(admin, state), await services.registration.settings(), await services.apps.automaticApp('users'));
  page('/admin/settings/registration', settings);
  action('/admin/settings/registration', settings, async (_request, admin, form) => {
    const number = Number(form.passwordMinLength);
    const grace = (v: string | undefined) => (v?.trim() ? v.trim() : null);
    const changes = parseInput(RegistrationSettingsChangesSchema, {
      mode: form.mode,
      emailValidation: form.emailValidation !== undefined,
      everyoneEnabled: form.everyoneEnabled !== undefined,
      passwordMinLength: form.passwordMinLength?.trim() && Number.isFinite(number) ? number : form.passwordMinLength,
      twoFactor: Object.fromEntries(CONSOLE_AUDIENCES.map((a) => [a, { required: form[`twoFactor.${a}.required`] !== undefined, graceUntil: grace(form[`twoFactor.${a}.graceUntil`]) }])),
      alerts: { newDevice: form['alerts.newDevice'] !== undefined, failedSignIns: form['alerts.failedSignIns'] !== undefined },
    });
    await services.registration.updateSettings(changes, admin.actor);
    return '/admin/settings/registration?notice=saved';
  });
}
