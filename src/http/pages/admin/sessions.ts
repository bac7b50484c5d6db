import type { Audience } from '../../../core/audience.ts';
import { SESSION_POLICY_BOUNDS as B, type SessionPolicySettings } from '../../../core/session-policy.ts';
import { html, type SafeHtml } from '../../html.ts';
import { AUDIENCE_LABEL, CONSOLE_AUDIENCES, checkbox, consolePage, csrfField, textInput, type ConsoleFrame } from './blocks.ts';

// The Sessions section: idle and absolute lengths, and "remember this device" for the second
// factor, per audience. An empty length is the environment's default, shown as the placeholder.

export function sessionsPage(frame: ConsoleFrame, policy: SessionPolicySettings, defaults: { idleMinutes: number; absoluteHours: number }): SafeHtml {
  const { state } = frame;
  const audience = (a: Audience) => {
    const p = policy[a];
    return html`<fieldset data-audience="${a}"><legend>${AUDIENCE_LABEL[a]}</legend>
${textInput(state, `${a}.idleMinutes`, 'Idle length (minutes): a session unused this long ends', p.fromEnvironment.idleMinutes ? '' : String(p.idleMinutes), {
  type: 'number', min: B.idleMinutes.min, max: B.idleMinutes.max, placeholder: String(defaults.idleMinutes),
  hint: `${B.idleMinutes.min} to ${B.idleMinutes.max}; empty: ${defaults.idleMinutes} (SESSION_IDLE_MINUTES). A shorter length also ends sessions already idle that long.`,
})}
${textInput(state, `${a}.absoluteHours`, 'Absolute length (hours): a session ends this long after sign-in', p.fromEnvironment.absoluteHours ? '' : String(p.absoluteHours), {
  type: 'number', min: B.absoluteHours.min, max: B.absoluteHours.max, placeholder: String(defaults.absoluteHours),
  hint: `${B.absoluteHours.min} to ${B.absoluteHours.max}; empty: ${defaults.absoluteHours} (SESSION_ABSOLUTE_HOURS). Applies to sessions started from now on.`,
})}
${checkbox(state, `${a}.rememberDevice`, 'Offer "Remember this device" at the second factor', p.rememberDeviceDays !== null, {
  hint: 'The person may skip the second factor in that browser (never the password or sign-in method) until it expires.',
})}
${textInput(state, `${a}.rememberDeviceDays`, 'Remember for (days)', p.rememberDeviceDays === null ? '30' : String(p.rememberDeviceDays), {
  type: 'number', min: B.rememberDeviceDays.min, max: B.rememberDeviceDays.max,
  hint: `${B.rememberDeviceDays.min} to ${B.rememberDeviceDays.max}. Shortening it, or turning it off, applies at once to devices already remembered.`,
})}</fieldset>`;
  };
  return consolePage(frame, 'Sessions', 'sessions', html`<h1>Sessions</h1>
<p class="muted">Every node applies a change within a second.</p>
<form class="stack card" method="post" action="/admin/settings/sessions">${csrfField(frame.csrf)}
${CONSOLE_AUDIENCES.map(audience)}
<button type="submit">Save settings</button></form>`);
}
