import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of the GitHub preset (config.ts has each key's schema).

export const GITHUB_FIELDS: readonly ConfigField[] = [
  { key: 'clientId', label: 'Client id', kind: 'text', required: true, hint: 'From the GitHub OAuth app you registered the redirect URI with.' },
  { key: 'clientSecret', label: 'Client secret', kind: 'secret', required: true, hint: 'Stored encrypted and never shown again.' },
  { key: 'serverUrl', label: 'GitHub URL (GitHub Enterprise Server only)', kind: 'url', hint: 'Where sign-in happens; https://github.com unless you run your own.' },
  { key: 'apiUrl', label: 'API URL (GitHub Enterprise Server only)', kind: 'url', hint: 'e.g. https://github.example.com/api/v3; read for the profile and the verified emails.' },
  { key: 'scopes', label: 'Scopes (one per line)', kind: 'list', hint: 'read:user for the profile, user:email for the verified emails.' },
  clockToleranceField('Leeway for times against our clock.'),
  ...EXTERNAL_FIELDS,
];
