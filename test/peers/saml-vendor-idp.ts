import { createPublicKey } from 'node:crypto';
import { promisify } from 'node:util';
import { SignedXml } from 'xml-crypto';
import xmlenc from 'xml-encryption';
import type { KeyPair } from '../../src/protocols/saml/sp-keys.ts';

// SAML responses in the shapes five identity services send, from their public documentation
// and published samples, signed with xml-crypto's public API (SignedXml.computeSignature) by a
// test key: our own samlify IdP only ever produced what our parser liked.
// - Okta (developer.okta.com SAML guides; responses as Okta's own samples show them):
//   `<?xml version="1.0" encoding="UTF-8"?>`, `saml2p:`/`saml2:` prefixes, Issuer with an
//   entity Format and an http://www.okta.com/… value, Response and assertion both signed
//   (RSA-SHA256, exclusive c14n), NameID format unspecified, attribute values typed xs:string.
// - OneLogin (its SAML Test Connector): `<?xml version="1.0"?>`, `samlp:`/`saml:`, assertion
//   signed, NameID emailAddress, parameters named User.email, User.FirstName, User.LastName, memberOf.
// - Microsoft Entra ID (learn.microsoft.com "SAML token claims reference"): `samlp:` on the
//   Response and the assertion namespace as the default one (`<Assertion xmlns=…>`), Issuer
//   https://sts.windows.net/{tenant}/, the assertion signed (Entra's default), NameID
//   emailAddress, claims http://schemas.xmlsoap.org/ws/2005/05/identity/claims/{emailaddress,
//   givenname, surname, name} and http://schemas.microsoft.com/ws/2008/06/identity/claims/groups.
// - Google Workspace (custom SAML app): `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`,
//   `saml2p:`/`saml2:` declared on the elements that use them, Issuer
//   https://accounts.google.com/o/saml2?idpid=…, assertion signed ("Signed response" is off by
//   default), NameID format unspecified holding the primary email, app attributes as the admin names them.
// - AD FS (relying party trust defaults): `samlp:` on the Response, the default namespace on the
//   assertion, Issuer http://{host}/adfs/services/trust, SamlResponseSignature AssertionOnly,
//   claim URIs for email, given name and surname, groups as http://schemas.xmlsoap.org/claims/Group,
//   and by default the assertion encrypted for the relying party's certificate.

const NS_P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const encrypt = promisify(xmlenc.encrypt) as unknown as (content: string, options: Record<string, unknown>) => Promise<string>;

export type VendorName = 'okta' | 'onelogin' | 'entra' | 'google' | 'adfs';

export type VendorProfile = {
  vendor: VendorName;
  /** The Frontdoor app type and config an admin installs for this vendor (docs/SAML.md setup guides), besides its metadata. */
  app: { type: 'okta' | 'onelogin' | 'microsoft' | 'saml'; config: Record<string, unknown> };
  issuer: string;
  declaration: string;
  /** Prefix of the protocol namespace, and of the assertion namespace ('' = default namespace). */
  protocolPrefix: string;
  assertionPrefix: string;
  /** Namespaces declared on the elements that use them rather than on the root (Google). */
  declareLocally: boolean;
  signs: 'response' | 'assertion' | 'both';
  encrypts: boolean;
  nameIdFormat: string;
  /** The attributes sent for a person, as this vendor names them. */
  attributes: (person: VendorPerson) => [name: string, values: string[]][];
};

export type VendorPerson = { email: string; firstName: string; lastName: string; groups: string[] };

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export const VENDOR_PROFILES: Record<VendorName, VendorProfile> = {
  okta: {
    vendor: 'okta', app: { type: 'okta', config: { protocol: 'saml', domain: 'acme.okta.com', appId: '0oa1b2c3d4E5F6g7H8i9' } },
    issuer: 'http://www.okta.com/exk1b2c3d4E5F6g7H8i9', declaration: '<?xml version="1.0" encoding="UTF-8"?>',
    protocolPrefix: 'saml2p', assertionPrefix: 'saml2', declareLocally: false, signs: 'both', encrypts: false, nameIdFormat: UNSPECIFIED,
    attributes: (p) => [['email', [p.email]], ['firstName', [p.firstName]], ['lastName', [p.lastName]], ['groups', p.groups]],
  },
  onelogin: {
    vendor: 'onelogin', app: { type: 'onelogin', config: { protocol: 'saml', domain: 'acme.onelogin.com', appId: '1234567' } },
    issuer: 'https://app.onelogin.com/saml/metadata/1234567', declaration: '<?xml version="1.0"?>',
    protocolPrefix: 'samlp', assertionPrefix: 'saml', declareLocally: false, signs: 'assertion', encrypts: false, nameIdFormat: EMAIL,
    attributes: (p) => [['User.email', [p.email]], ['User.FirstName', [p.firstName]], ['User.LastName', [p.lastName]], ['memberOf', p.groups]],
  },
  entra: {
    vendor: 'entra', app: { type: 'microsoft', config: { protocol: 'saml', tenant: TENANT, appId: '11111111-2222-4333-8444-555555555555' } },
    issuer: `https://sts.windows.net/${TENANT}/`, declaration: '<?xml version="1.0" encoding="utf-8"?>',
    protocolPrefix: 'samlp', assertionPrefix: '', declareLocally: false, signs: 'assertion', encrypts: false, nameIdFormat: EMAIL,
    attributes: (p) => [
      [`${CLAIMS}/emailaddress`, [p.email]], [`${CLAIMS}/name`, [p.email]], [`${CLAIMS}/givenname`, [p.firstName]], [`${CLAIMS}/surname`, [p.lastName]],
      ['http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', p.groups],
      ['http://schemas.microsoft.com/identity/claims/tenantid', [TENANT]],
    ],
  },
  google: {
    vendor: 'google', app: { type: 'saml', config: {} },
    issuer: 'https://accounts.google.com/o/saml2?idpid=C01abcdef', declaration: '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    protocolPrefix: 'saml2p', assertionPrefix: 'saml2', declareLocally: true, signs: 'assertion', encrypts: false, nameIdFormat: UNSPECIFIED,
    attributes: (p) => [['email', [p.email]], ['firstName', [p.firstName]], ['lastName', [p.lastName]], ['groups', p.groups]],
  },
  adfs: {
    vendor: 'adfs', app: { type: 'saml', config: {} },
    issuer: 'http://adfs.contoso.com/adfs/services/trust', declaration: '',
    protocolPrefix: 'samlp', assertionPrefix: '', declareLocally: false, signs: 'assertion', encrypts: true, nameIdFormat: EMAIL,
    attributes: (p) => [
      [`${CLAIMS}/emailaddress`, [p.email]], [`${CLAIMS}/givenname`, [p.firstName]], [`${CLAIMS}/surname`, [p.lastName]],
      ['http://schemas.xmlsoap.org/claims/Group', p.groups],
    ],
  },
};

const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A signed (and for AD FS encrypted) response of `profile` for `person`, answering `inResponseTo`. */
export async function vendorResponse(
  profile: VendorProfile,
  keys: { idp: KeyPair; spCertificate: string },
  sp: { entityId: string; acsUrl: string },
  person: VendorPerson,
  options: { inResponseTo: string; now: Date; id?: string },
): Promise<string> {
  const p = profile.protocolPrefix;
  const a = profile.assertionPrefix;
  const q = (name: string) => (a ? `${a}:${name}` : name);
  const iso = (offsetMs: number) => new Date(options.now.getTime() + offsetMs).toISOString();
  const id = options.id ?? `_${profile.vendor}${options.now.getTime()}`;
  // The assertion namespace: on the root (Okta, OneLogin), on each element that needs it
  // (Google), or as the default namespace of the assertion (Entra, AD FS).
  const assertionNs = a ? `xmlns:${a}="${NS_A}"` : `xmlns="${NS_A}"`;
  const onRoot = a && !profile.declareLocally ? ` ${assertionNs}` : '';
  const own = !a || profile.declareLocally || profile.encrypts ? ` ${assertionNs}` : '';
  const attributeXml = profile
    .attributes(person)
    .filter(([, values]) => values.length > 0)
    .map(([name, values]) =>
      `<${q('Attribute')} Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:${name.includes('://') ? 'uri' : 'unspecified'}">` +
      values.map((v) => `<${q('AttributeValue')} xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(v)}</${q('AttributeValue')}>`).join('') +
      `</${q('Attribute')}>`)
    .join('');
  let assertion =
    `<${q('Assertion')}${own} ID="${id}a" IssueInstant="${iso(0)}" Version="2.0">` +
    `<${q('Issuer')}${profile.vendor === 'okta' ? ' Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity"' : ''}>${esc(profile.issuer)}</${q('Issuer')}>` +
    `<${q('Subject')}><${q('NameID')} Format="${profile.nameIdFormat}">${esc(person.email)}</${q('NameID')}>` +
    `<${q('SubjectConfirmation')} Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><${q('SubjectConfirmationData')} InResponseTo="${options.inResponseTo}" NotOnOrAfter="${iso(5 * 60_000)}" Recipient="${esc(sp.acsUrl)}"/></${q('SubjectConfirmation')}></${q('Subject')}>` +
    `<${q('Conditions')} NotBefore="${iso(-60_000)}" NotOnOrAfter="${iso(60 * 60_000)}"><${q('AudienceRestriction')}><${q('Audience')}>${esc(sp.entityId)}</${q('Audience')}></${q('AudienceRestriction')}></${q('Conditions')}>` +
    `<${q('AttributeStatement')}>${attributeXml}</${q('AttributeStatement')}>` +
    `<${q('AuthnStatement')} AuthnInstant="${iso(-1000)}" SessionIndex="${id}s"><${q('AuthnContext')}><${q('AuthnContextClassRef')}>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</${q('AuthnContextClassRef')}></${q('AuthnContext')}></${q('AuthnStatement')}>` +
    `</${q('Assertion')}>`;
  const assertionPath = "//*[local-name(.)='Assertion']";
  if (profile.signs !== 'response') assertion = sign(assertion, keys.idp, assertionPath, onRoot ? assertionNs : '');
  if (profile.encrypts) {
    const encrypted = await encrypt(assertion, {
      rsa_pub: createPublicKey(keys.spCertificate).export({ type: 'spki', format: 'pem' }), pem: keys.spCertificate,
      encryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc', keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      disallowEncryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false,
    });
    assertion = `<EncryptedAssertion xmlns="${NS_A}">${encrypted}</EncryptedAssertion>`;
  }
  const protocolNs = `xmlns:${p}="${NS_P}"`;
  const issuerNs = a ? (profile.declareLocally ? ` xmlns:${a}="${NS_A}"` : '') : ` xmlns="${NS_A}"`;
  let response =
    `<${p}:Response ${protocolNs}${onRoot} Destination="${esc(sp.acsUrl)}" ID="${id}" InResponseTo="${options.inResponseTo}" IssueInstant="${iso(0)}" Version="2.0">` +
    `<${a ? `${a}:` : ''}Issuer${issuerNs}${profile.vendor === 'okta' ? ' Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity"' : ''}>${esc(profile.issuer)}</${a ? `${a}:` : ''}Issuer>` +
    `<${p}:Status><${p}:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></${p}:Status>` +
    `${assertion}</${p}:Response>`;
  if (profile.signs !== 'assertion') response = sign(response, keys.idp, "/*[local-name(.)='Response']");
  return `${profile.declaration}${profile.declaration ? '\n' : ''}${response}`;
}

/** An enveloped RSA-SHA256 signature after the element's Issuer, as these vendors place it. */
function sign(xml: string, keys: KeyPair, xpath: string, wrapNs: string = ''): string {
  // A standalone assertion whose prefix is declared on the Response-to-be: sign it inside a
  // wrapper that declares it, then take it out again (the signature covers the same c14n bytes).
  const text = wrapNs ? `<w ${wrapNs}>${xml}</w>` : xml;
  const sig = new SignedXml({ privateKey: keys.privateKey, publicCert: keys.certificate });
  sig.signatureAlgorithm = RSA_SHA256;
  sig.canonicalizationAlgorithm = EXC_C14N;
  sig.addReference({ xpath, digestAlgorithm: SHA256, transforms: [ENVELOPED, EXC_C14N] });
  sig.computeSignature(text, { prefix: 'ds', location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  const signed = sig.getSignedXml();
  return wrapNs ? signed.slice(signed.indexOf('>') + 1, signed.lastIndexOf('</w>')) : signed;
}

/** IdP metadata as the vendor publishes it (with its XML declaration), for the metadata path. */
export function vendorMetadata(profile: VendorProfile, certificateBody: string, ssoUrl: string): string {
  return (
    `${profile.declaration || '<?xml version="1.0" encoding="utf-8"?>'}\n` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(profile.issuer)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS_P}">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificateBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>${profile.nameIdFormat}</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(ssoUrl)}"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(ssoUrl)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}
