import type { ExternalProfile } from '../../core/account-resolution.ts';
import type { ExternalSettings } from '../../core/app-config.ts';
import type { VerifiedAssertion } from './acs.ts';
import { NAME_ID_FORMAT_URN, type SamlAppConfig } from './settings.ts';

// The names identity services use when the admin did not say, so that the preset an admin
// picks needs no mapping (each vendor's shape is a test profile, test/peers/saml-vendor-idp.ts):
// Okta's and Google Workspace's attribute statements as the setup guides name them, OneLogin's
// parameters (User.email, memberOf), Entra's and AD FS's claim URIs (AD FS sends groups as
// http://schemas.xmlsoap.org/claims/Group or as role claims), and the LDAP OIDs of eduPerson/InCommon.
const DEFAULT_NAMES = {
  email: ['email', 'mail', 'Email', 'User.email', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'urn:oid:0.9.2342.19200300.100.1.3'],
  firstName: ['firstName', 'givenName', 'FirstName', 'User.FirstName', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', 'urn:oid:2.5.4.42'],
  lastName: ['lastName', 'surname', 'sn', 'LastName', 'User.LastName', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', 'urn:oid:2.5.4.4'],
  displayName: ['displayName', 'name', 'http://schemas.microsoft.com/identity/claims/displayname', 'urn:oid:2.16.840.1.113730.3.1.241'],
  groups: ['groups', 'memberOf', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', 'http://schemas.xmlsoap.org/claims/Group', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', 'urn:oid:1.3.6.1.4.1.5923.1.5.1.1'],
};

/** The identity key of a SAML sign-in: issuer and NameID (an entity id is a URI: no spaces). */
export function samlSubject(issuer: string, nameId: string): string {
  return `${issuer} ${nameId}`;
}

/** The person a verified assertion describes, in the shape account resolution takes. */
export function profileFromAssertion(config: SamlAppConfig & ExternalSettings, assertion: VerifiedAssertion): ExternalProfile {
  const pick = (key: keyof typeof DEFAULT_NAMES): string[] => {
    const names = config.attributes[key] ? [config.attributes[key]!] : DEFAULT_NAMES[key];
    for (const name of names) {
      const values = assertion.attributes[name]?.map((v) => v.trim()).filter(Boolean);
      if (values?.length) return values;
    }
    return [];
  };
  const nameIdIsEmail = assertion.nameIdFormat === NAME_ID_FORMAT_URN.emailAddress && assertion.nameId.includes('@');
  const email = pick('email')[0] ?? (nameIdIsEmail ? assertion.nameId : undefined);
  const display = pick('displayName')[0];
  const name = display ?? ([pick('firstName')[0], pick('lastName')[0]].filter(Boolean).join(' ') || undefined);
  return {
    subject: samlSubject(assertion.issuer, assertion.nameId),
    issuer: assertion.issuer,
    email,
    // SAML has no email_verified: the assertion is signed, and the admin says (trustEmail)
    // whether this identity service vouches for the addresses it sends.
    emailVerified: config.trustEmail,
    name,
    groups: pick('groups'),
    claims: {
      issuer: assertion.issuer,
      nameId: assertion.nameId,
      nameIdFormat: assertion.nameIdFormat ?? null,
      sessionIndex: assertion.sessionIndex ?? null,
      assertionId: assertion.assertionId,
      encrypted: assertion.encrypted,
      ...Object.fromEntries(Object.entries(assertion.attributes).map(([k, v]) => [k, v.length === 1 ? v[0] : v])),
    },
  };
}
