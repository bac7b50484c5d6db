import type { Audience } from '../../../core/audience.ts';
import { SESSION_POLICY_BOUNDS as B, type SessionPolicySettings } from '../../../core/session-policy.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { CONSOLE_AUDIENCES, checkbox, consolePage, csrfField, textInput, type ConsoleFrame } from './blocks.ts';

// The Sessions section: idle and absolute lengths, and "remember this device" for the second
// factor, per audience. An empty length is the environment's default, shown as the placeholder.

export function sessionsPage(frame: ConsoleFrame, policy: SessionPolicySettings, defaults: { idleMinutes: number; absoluteHours: number }): SafeHtml {
  const { state } = frame;
  const audience = (a: Audience) => {
    const p = policy[a];
    return html`<fieldset data-audience="${a}"><legend>${t(a === 'users' ? 'admin.audience.users' : 'admin.audience.agents')}</legend>
${textInput(state, `${a}.idleMinutes`, t('adminSessions.idle'), p.fromEnvironment.idleMinutes ? '' : String(p.idleMinutes), {
  type: 'number', min: B.idleMinutes.min, max: B.idleMinutes.max, placeholder: String(defaults.idleMinutes),
  hint: t('adminSessions.idleHint', { min: String(B.idleMinutes.min), max: String(B.idleMinutes.max), fallback: String(defaults.idleMinutes) }),
})}
${textInput(state, `${a}.absoluteHours`, t('adminSessions.absolute'), p.fromEnvironment.absoluteHours ? '' : String(p.absoluteHours), {
  type: 'number', min: B.absoluteHours.min, max: B.absoluteHours.max, placeholder: String(defaults.absoluteHours),
  hint: t('adminSessions.absoluteHint', { min: String(B.absoluteHours.min), max: String(B.absoluteHours.max), fallback: String(defaults.absoluteHours) }),
})}
${checkbox(state, `${a}.rememberDevice`, t('adminSessions.remember'), p.rememberDeviceDays !== null, {
  hint: t('adminSessions.rememberHint'),
})}
${textInput(state, `${a}.rememberDeviceDays`, t('adminSessions.rememberDays'), p.rememberDeviceDays === null ? '30' : String(p.rememberDeviceDays), {
  type: 'number', min: B.rememberDeviceDays.min, max: B.rememberDeviceDays.max,
  hint: t('adminSessions.rememberDaysHint', { min: String(B.rememberDeviceDays.min), max: String(B.rememberDeviceDays.max) }),
})}</fieldset>`;
  };
  return consolePage(frame, t('admin.section.sessions'), 'sessions', html`<h1>${t('admin.section.sessions')}</h1>
<p class="muted">${t('adminSessions.note')}</p>
<form class="stack card" method="post" action="/admin/settings/sessions">${csrfField(frame.csrf)}
${CONSOLE_AUDIENCES.map(audience)}
<button type="submit">${t('adminSessions.save')}</button></form>`);
}
