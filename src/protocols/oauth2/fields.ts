import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of the GitHub preset (config.ts has each key's schema).

export const GITHUB_FIELDS: readonly ConfigField[] = [
  { key: 'clientId', label: 'apps.field.clientId', kind: 'text', required: true, hint: 'apps.hint.github.clientId' },
  { key: 'clientSecret', label: 'apps.field.clientSecret', kind: 'secret', required: true, hint: 'apps.hint.storedEncrypted' },
  { key: 'serverUrl', label: 'apps.field.github.serverUrl', kind: 'url', hint: 'apps.hint.github.serverUrl' },
  { key: 'apiUrl', label: 'apps.field.github.apiUrl', kind: 'url', hint: 'apps.hint.github.apiUrl' },
  { key: 'scopes', label: 'apps.field.scopes', kind: 'list', hint: 'apps.hint.github.scopes' },
  clockToleranceField('apps.hint.clockTolerance.clock'),
  ...EXTERNAL_FIELDS,
];
