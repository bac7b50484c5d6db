import type { ConfigField } from './sign-in-protocol.ts';

// The settings every external app shares (core/app-config.ts, externalShape) beyond the trust
// switches of the console's "Trust and who gets in" fieldset (http/pages/admin/app-trust-fields.ts)
// and the button text: each protocol's presets end their field list with these.

/** Keys of externalShape drawn by the console itself, not by a protocol's fields. */
export const CONSOLE_OWNED_KEYS = [
  'buttonText', 'trustEmail', 'trustProviderMfa', 'autoAgent', 'autoUser', 'syncProfile',
  'filter.emailDomains', 'filter.requiredGroup', 'filter.requiredClaim', 'loginActions.addUsergroupIds', 'loginActions.groupMappings',
] as const;

export const clockToleranceField = (hint: string): ConfigField => ({
  key: 'clockToleranceSeconds', label: 'Clock tolerance (seconds)', kind: 'number', group: 'security', hint,
});

export const EXTERNAL_FIELDS: readonly ConfigField[] = [
  { key: 'lostPasswordUrl', label: 'Forgotten-password page at the service', kind: 'url', group: 'connection', hint: 'People who sign in only with this app are sent there from the reset form. Empty: no link (a JWT app sends them to its remote login URL).' },
  { key: 'logoutUrl', label: 'Logout page at the service', kind: 'url', group: 'logout', hint: 'Where signing out of an Automatic app ends when the service has no logout endpoint of its own.' },
];
