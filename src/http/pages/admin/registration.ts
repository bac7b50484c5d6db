import type { AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { PASSWORD_MIN_LENGTH, PASSWORD_MIN_LENGTH_CEILING } from '../../../core/credentials/password-rules.ts';
import type { RegistrationSettings } from '../../../core/registration.ts';
import { html, type SafeHtml } from '../../html.ts';
import { AUDIENCE_LABEL, checkbox, consolePage, csrfField, select, textInput, type ConsoleFrame } from './blocks.ts';

// The Registration section: mode, email validation, Everyone, password length, 2FA policy, alerts.

export function registrationPage(frame: ConsoleFrame, s: RegistrationSettings, automatic: AuthApp | undefined): SafeHtml {
  const { state } = frame;
  const policy = (audience: Audience) => html`<fieldset><legend>Two-factor authentication for ${AUDIENCE_LABEL[audience]}</legend>
${checkbox(state, `twoFactor.${audience}.required`, 'Required for everyone', s.twoFactor[audience].required)}
${textInput(state, `twoFactor.${audience}.graceUntil`, 'Required from (grace period, ISO date and time; empty: at once)', s.twoFactor[audience].graceUntil ?? '', { placeholder: '2026-12-31T00:00:00Z' })}</fieldset>`;
  return consolePage(frame, 'Registration', 'registration', html`<h1>Registration and account settings</h1>
${automatic ? html`<p class="notice" role="status" data-state="automatic-users">Users sign in only with <a href="/admin/apps/${automatic.id}">${automatic.name}</a> (Automatic): registration, the password form and password reset are shut for Users, whatever the mode below says. New Users come from that identity service (mode and approval still apply to them); Users who have a password keep it, unused, until the app is no longer Automatic.</p>` : ''}
<form class="stack card" method="post" action="/admin/settings/registration">${csrfField(frame.csrf)}
${select(state, 'mode', 'Registration mode', s.mode, [
  ['open', 'Open: anyone may register'], ['require_registration', 'Require registration: content needs sign-in'],
  ['agent_approval', 'Agent approval: new accounts wait for approval'], ['closed', 'Closed: no self-registration'],
])}
${checkbox(state, 'emailValidation', 'Email validation: new accounts confirm their email first', s.emailValidation)}
${checkbox(state, 'everyoneEnabled', 'Everyone usergroup on: anonymous visitors read articles granted to Everyone', s.everyoneEnabled)}
${textInput(state, 'passwordMinLength', 'Password minimum length', String(s.passwordMinLength), { type: 'number', min: PASSWORD_MIN_LENGTH, max: PASSWORD_MIN_LENGTH_CEILING, required: true })}
${policy('users')}${policy('agents')}
<fieldset><legend>Alerts by email</legend>
${checkbox(state, 'alerts.newDevice', 'Sign-in from a new address', s.alerts.newDevice)}
${checkbox(state, 'alerts.failedSignIns', 'Sign-in paused after failed attempts', s.alerts.failedSignIns)}</fieldset>
<button type="submit">Save settings</button></form>`);
}
