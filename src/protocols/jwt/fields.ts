import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of a JWT app (config.ts has each key's schema).

export const JWT_FIELDS: readonly ConfigField[] = [
  { key: 'remoteLoginUrl', label: 'Remote login URL', kind: 'url', required: true, hint: 'Where people who must sign in are sent, with return_to.' },
  { key: 'algorithms', label: 'Algorithm', kind: 'algorithm', group: 'security', hint: 'HS256: Frontdoor generates a shared secret and shows it once. RS256, ES256, EdDSA: give the public key or a JWKS URL.' },
  { key: 'sharedSecret', label: 'Shared secret (HS256/384/512)', kind: 'secret', group: 'security', hint: 'Empty: Frontdoor generates one at install and shows it once. At least 32 bytes.' },
  { key: 'publicKey', label: 'Public key (PEM or JWK), for RS256, ES256, EdDSA', kind: 'pem', group: 'security', hint: 'The signing site’s public key; never its private key.' },
  { key: 'jwksUrl', label: 'Or a JWKS URL', kind: 'url', group: 'security', hint: 'Fetched and fetched again when the site rotates its keys.' },
  { key: 'issuer', label: 'Required issuer (iss)', kind: 'text', group: 'security', hint: 'Checked when set: a token naming another issuer is refused.' },
  { key: 'audience', label: 'Required audience (aud)', kind: 'text', group: 'security', hint: 'Checked when set: the token’s aud must contain it.' },
  { key: 'maxTokenAgeSeconds', label: 'Maximum token age (seconds)', kind: 'number', group: 'security', hint: 'A token older than this after its iat is refused (plus the clock tolerance).' },
  clockToleranceField('Leeway for iat, exp and nbf; signing sites often run without NTP.'),
  { key: 'claims.email', label: 'Email claim', kind: 'text', group: 'claims', hint: 'The claim read as the email.' },
  { key: 'claims.name', label: 'Name claim', kind: 'text', group: 'claims', hint: 'The claim read as the display name.' },
  { key: 'claims.firstName', label: 'First name claim', kind: 'text', group: 'claims', hint: 'Used when there is no name claim.' },
  { key: 'claims.lastName', label: 'Last name claim', kind: 'text', group: 'claims', hint: 'Used when there is no name claim.' },
  { key: 'claims.externalId', label: 'Identity claim', kind: 'text', group: 'claims', hint: 'The stable id of the person; absent, id, then sub, then the email are used.' },
  { key: 'claims.groups', label: 'Groups claim', kind: 'text', group: 'claims', hint: 'Usergroup names; tags is read when it is absent.' },
  { key: 'mapGroups', label: 'Add people to the usergroups their groups claim names', kind: 'boolean', group: 'claims', hint: 'On: each sign-in adds them to the custom usergroups named (never removes).' },
  ...EXTERNAL_FIELDS,
];
