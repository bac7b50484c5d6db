import { SessionPolicyChangesSchema } from '../../../core/session-policy.ts';
import { parseInput } from '../../../core/validation.ts';
import { CONSOLE_AUDIENCES } from '../../pages/admin/blocks.ts';
import { sessionsPage } from '../../pages/admin/sessions.ts';
import { frameOf, type AdminConsole, type Form, type Render } from './console.ts';

// Sessions: idle and absolute lengths and "remember this device" per audience, one form, one save.

/** A number field: empty is null (the default, or off); anything else goes to the schema as typed, so a bad value is named. */
const numberOrNull = (raw: string | undefined): number | string | null => {
  const text = raw?.trim() ?? '';
  if (!text) return null;
  return /^\d{1,9}$/.test(text) ? Number(text) : text;
};

export function registerSessionPolicyRoutes({ services, page, action }: AdminConsole): void {
  const settings: Render = async (_request, _reply, admin, state) =>
    sessionsPage(frameOf(admin, state), await services.sessionPolicy.settings(), { idleMinutes: services.config.sessionIdleMs / 60_000, absoluteHours: services.config.sessionAbsoluteMs / 3_600_000 });
  page('/admin/settings/sessions', settings);
  action('/admin/settings/sessions', settings, async (_request, admin, form: Form) => {
    const changes = parseInput(SessionPolicyChangesSchema, Object.fromEntries(CONSOLE_AUDIENCES.map((a) => [a, {
      idleMinutes: numberOrNull(form[`${a}.idleMinutes`]),
      absoluteHours: numberOrNull(form[`${a}.absoluteHours`]),
      // Unticked is off whatever the days say; ticked needs a number of days.
      rememberDeviceDays: form[`${a}.rememberDevice`] === undefined ? null : (numberOrNull(form[`${a}.rememberDeviceDays`]) ?? ''),
    }])));
    await services.sessionPolicy.update(changes, admin.actor);
    return '/admin/settings/sessions?notice=saved';
  });
}
