import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of a JWT app (config.ts has each key's schema).

export const JWT_FIELDS: readonly ConfigField[] = [
  { key: 'remoteLoginUrl', label: 'apps.field.jwt.remoteLoginUrl', kind: 'url', required: true, hint: 'apps.hint.jwt.remoteLoginUrl' },
  { key: 'algorithms', label: 'apps.field.jwt.algorithms', kind: 'algorithm', group: 'security', hint: 'apps.hint.jwt.algorithms' },
  { key: 'sharedSecret', label: 'apps.field.jwt.sharedSecret', kind: 'secret', group: 'security', hint: 'apps.hint.jwt.sharedSecret' },
  { key: 'publicKey', label: 'apps.field.jwt.publicKey', kind: 'pem', group: 'security', hint: 'apps.hint.jwt.publicKey' },
  { key: 'jwksUrl', label: 'apps.field.jwt.jwksUrl', kind: 'url', group: 'security', hint: 'apps.hint.jwt.jwksUrl' },
  { key: 'issuer', label: 'apps.field.jwt.issuer', kind: 'text', group: 'security', hint: 'apps.hint.jwt.issuer' },
  { key: 'audience', label: 'apps.field.jwt.audience', kind: 'text', group: 'security', hint: 'apps.hint.jwt.audience' },
  { key: 'maxTokenAgeSeconds', label: 'apps.field.jwt.maxTokenAge', kind: 'number', group: 'security', hint: 'apps.hint.jwt.maxTokenAge' },
  clockToleranceField('apps.hint.clockTolerance.jwt'),
  { key: 'claims.email', label: 'apps.field.emailClaim', kind: 'text', group: 'claims', hint: 'apps.hint.jwt.emailClaim' },
  { key: 'claims.name', label: 'apps.field.nameClaim', kind: 'text', group: 'claims', hint: 'apps.hint.nameClaim' },
  { key: 'claims.firstName', label: 'apps.field.jwt.firstNameClaim', kind: 'text', group: 'claims', hint: 'apps.hint.jwt.noNameClaim' },
  { key: 'claims.lastName', label: 'apps.field.jwt.lastNameClaim', kind: 'text', group: 'claims', hint: 'apps.hint.jwt.noNameClaim' },
  { key: 'claims.externalId', label: 'apps.field.jwt.externalIdClaim', kind: 'text', group: 'claims', hint: 'apps.hint.jwt.externalIdClaim' },
  { key: 'claims.groups', label: 'apps.field.groupsClaim', kind: 'text', group: 'claims', hint: 'apps.hint.jwt.groupsClaim' },
  { key: 'mapGroups', label: 'apps.field.jwt.mapGroups', kind: 'boolean', group: 'claims', hint: 'apps.hint.jwt.mapGroups' },
  ...EXTERNAL_FIELDS,
];
