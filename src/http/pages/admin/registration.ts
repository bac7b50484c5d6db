import type { AuthApp } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { PASSWORD_MIN_LENGTH, PASSWORD_MIN_LENGTH_CEILING } from '../../../core/credentials/password-rules.ts';
import type { RegistrationSettings } from '../../../core/registration.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { checkbox, consolePage, csrfField, select, textInput, type ConsoleFrame } from './blocks.ts';

// The Registration section: mode, email validation, Everyone, password length, 2FA policy, alerts.

export function registrationPage(frame: ConsoleFrame, s: RegistrationSettings, automatic: AuthApp | undefined): SafeHtml {
  const { state } = frame;
  const policy = (audience: Audience) => html`<fieldset><legend>${t('adminRegistration.twoFactorFor', { audience: t(audience === 'users' ? 'admin.audience.users' : 'admin.audience.agents') })}</legend>
${checkbox(state, `twoFactor.${audience}.required`, t('adminRegistration.required'), s.twoFactor[audience].required)}
${textInput(state, `twoFactor.${audience}.graceUntil`, t('adminRegistration.graceUntil'), s.twoFactor[audience].graceUntil ?? '', { placeholder: '2026-12-31T00:00:00Z' })}</fieldset>`;
  return consolePage(frame, t('admin.section.registration'), 'registration', html`<h1>${t('adminRegistration.heading')}</h1>
${automatic ? html`<p class="notice" role="status" data-state="automatic-users">${tHtml('adminRegistration.automatic', { app: html`<a href="/admin/apps/${automatic.id}">${automatic.name}</a>` })}</p>` : ''}
<form class="stack card" method="post" action="/admin/settings/registration">${csrfField(frame.csrf)}
${select(state, 'mode', t('adminRegistration.mode'), s.mode, [
  ['open', t('adminRegistration.mode.open')], ['require_registration', t('adminRegistration.mode.require')],
  ['agent_approval', t('adminRegistration.mode.approval')], ['closed', t('adminRegistration.mode.closed')],
])}
${checkbox(state, 'emailValidation', t('adminRegistration.emailValidation'), s.emailValidation)}
${checkbox(state, 'everyoneEnabled', t('adminRegistration.everyone'), s.everyoneEnabled)}
${textInput(state, 'passwordMinLength', t('adminRegistration.passwordMin'), String(s.passwordMinLength), { type: 'number', min: PASSWORD_MIN_LENGTH, max: PASSWORD_MIN_LENGTH_CEILING, required: true })}
${policy('users')}${policy('agents')}
<fieldset><legend>${t('adminRegistration.alerts')}</legend>
${checkbox(state, 'alerts.newDevice', t('adminRegistration.alertNewDevice'), s.alerts.newDevice)}
${checkbox(state, 'alerts.failedSignIns', t('adminRegistration.alertFailed'), s.alerts.failedSignIns)}</fieldset>
<button type="submit">${t('adminSessions.save')}</button></form>`);
}
