import type { AppFieldKey } from '../i18n/apps/fields-en.ts';
import type { ConfigField } from './sign-in-protocol.ts';

// The settings every external app shares (core/app-config.ts, externalShape) beyond the trust
// switches of the console's "Trust and who gets in" fieldset (http/pages/admin/app-trust-fields.ts)
// and the button text: each protocol's presets end their field list with these.

/** Keys of externalShape drawn by the console itself, not by a protocol's fields. */
export const CONSOLE_OWNED_KEYS = [
  'buttonText', 'trustEmail', 'trustProviderMfa', 'autoAgent', 'autoUser', 'syncProfile',
  'filter.emailDomains', 'filter.requiredGroup', 'filter.requiredClaim', 'loginActions.addUsergroupIds', 'loginActions.groupMappings',
] as const;

export const clockToleranceField = (hint: AppFieldKey): ConfigField => ({
  key: 'clockToleranceSeconds', label: 'apps.field.clockTolerance', kind: 'number', group: 'security', hint,
});

export const EXTERNAL_FIELDS: readonly ConfigField[] = [
  { key: 'lostPasswordUrl', label: 'apps.field.lostPasswordUrl', kind: 'url', group: 'connection', hint: 'apps.hint.lostPasswordUrl' },
  { key: 'logoutUrl', label: 'apps.field.logoutUrl', kind: 'url', group: 'logout', hint: 'apps.hint.logoutUrl' },
];
