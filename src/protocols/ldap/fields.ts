import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of an LDAP app (settings.ts has each key's schema).

const attribute = (key: string, label: string, hint: string): ConfigField => ({ key: `attributes.${key}`, label, kind: 'text', group: 'claims', hint: `${hint} Empty: the directory preset’s.` });

export const LDAP_FIELDS: readonly ConfigField[] = [
  {
    key: 'preset', label: 'Directory', kind: 'select', required: true, options: [['active-directory', 'Active Directory'], ['openldap', 'OpenLDAP']],
    hint: 'Fills the user filter and the attribute names you leave empty.',
  },
  { key: 'url', label: 'Directory URL', kind: 'url', required: true, hint: 'ldaps://dc1.corp.example:636, or ldap:// with StartTLS (plain ldap:// only for localhost).' },
  { key: 'startTls', label: 'Upgrade ldap:// with StartTLS', kind: 'boolean', group: 'security', hint: 'On: the connection is encrypted before any password crosses it.' },
  { key: 'caPem', label: 'CA certificate (PEM)', kind: 'pem', group: 'security', hint: 'The CA the directory’s certificate chains to; empty: the system’s CAs.' },
  { key: 'bindDn', label: 'Service account DN', kind: 'text', required: true, hint: 'The account that searches for people before their own password is checked.' },
  { key: 'bindPassword', label: 'Service account password', kind: 'secret', required: true, hint: 'Stored encrypted and never shown again.' },
  { key: 'baseDn', label: 'Base DN', kind: 'text', required: true, hint: 'Only people under it can sign in.' },
  { key: 'userFilter', label: 'User filter', kind: 'text', hint: 'Holds {username}, which is escaped (RFC 4515). Empty: the preset’s.' },
  { key: 'syncFilter', label: 'Sync filter', kind: 'text', hint: 'Who the sync lists. Empty: the user filter with {username} as *.' },
  attribute('id', 'Stable id attribute', 'Keeps people linked across renames (objectGUID, entryUUID).'),
  attribute('username', 'Username attribute', 'What people type to sign in.'),
  attribute('email', 'Email attribute', 'Read as the email.'),
  attribute('name', 'Name attribute', 'Read as the display name.'),
  attribute('groups', 'Groups attribute', 'The groups group mappings match.'),
  { key: 'nestedGroups', label: 'Follow nested groups (Active Directory)', kind: 'boolean', group: 'claims', hint: 'On: membership through groups of groups counts.' },
  { key: 'testUsername', label: 'Username the Test looks up', kind: 'text', hint: 'No password is tried.' },
  { key: 'pageSize', label: 'Search page size', kind: 'number', hint: 'Entries per page of the sync’s searches.' },
  { key: 'timeoutMs', label: 'Timeout (milliseconds)', kind: 'number', hint: 'How long a directory answer may take before the sign-in fails.' },
  clockToleranceField('Leeway for times against our clock.'),
  ...EXTERNAL_FIELDS,
];
