import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { AppFieldKey } from '../../i18n/apps/fields-en.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of an LDAP app (settings.ts has each key's schema).

const attribute = (key: string, label: AppFieldKey, hint: AppFieldKey): ConfigField => ({ key: `attributes.${key}`, label, kind: 'text', group: 'claims', hint });

export const LDAP_FIELDS: readonly ConfigField[] = [
  {
    key: 'preset', label: 'apps.field.ldap.preset', kind: 'select', required: true, options: [['active-directory', 'Active Directory'], ['openldap', 'OpenLDAP']],
    hint: 'apps.hint.ldap.preset',
  },
  { key: 'url', label: 'apps.field.ldap.url', kind: 'url', required: true, hint: 'apps.hint.ldap.url' },
  { key: 'startTls', label: 'apps.field.ldap.startTls', kind: 'boolean', group: 'security', hint: 'apps.hint.ldap.startTls' },
  { key: 'caPem', label: 'apps.field.ldap.caPem', kind: 'pem', group: 'security', hint: 'apps.hint.ldap.caPem' },
  { key: 'bindDn', label: 'apps.field.ldap.bindDn', kind: 'text', required: true, hint: 'apps.hint.ldap.bindDn' },
  { key: 'bindPassword', label: 'apps.field.ldap.bindPassword', kind: 'secret', required: true, hint: 'apps.hint.storedEncrypted' },
  { key: 'baseDn', label: 'apps.field.ldap.baseDn', kind: 'text', required: true, hint: 'apps.hint.ldap.baseDn' },
  { key: 'userFilter', label: 'apps.field.ldap.userFilter', kind: 'text', hint: 'apps.hint.ldap.userFilter' },
  { key: 'syncFilter', label: 'apps.field.ldap.syncFilter', kind: 'text', hint: 'apps.hint.ldap.syncFilter' },
  attribute('id', 'apps.field.ldap.idAttribute', 'apps.hint.ldap.idAttribute'),
  attribute('username', 'apps.field.ldap.usernameAttribute', 'apps.hint.ldap.usernameAttribute'),
  attribute('email', 'apps.field.emailAttribute', 'apps.hint.ldap.emailAttribute'),
  attribute('name', 'apps.field.ldap.nameAttribute', 'apps.hint.ldap.nameAttribute'),
  attribute('groups', 'apps.field.groupsAttribute', 'apps.hint.ldap.groupsAttribute'),
  { key: 'nestedGroups', label: 'apps.field.ldap.nestedGroups', kind: 'boolean', group: 'claims', hint: 'apps.hint.ldap.nestedGroups' },
  { key: 'testUsername', label: 'apps.field.ldap.testUsername', kind: 'text', hint: 'apps.hint.ldap.testUsername' },
  { key: 'pageSize', label: 'apps.field.ldap.pageSize', kind: 'number', hint: 'apps.hint.ldap.pageSize' },
  { key: 'timeoutMs', label: 'apps.field.ldap.timeout', kind: 'number', hint: 'apps.hint.ldap.timeout' },
  clockToleranceField('apps.hint.clockTolerance.clock'),
  ...EXTERNAL_FIELDS,
];
