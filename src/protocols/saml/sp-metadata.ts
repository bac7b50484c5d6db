import { certificateBody } from './sp-keys.ts';
import { NAME_ID_FORMAT_URN, type SamlAppConfig, type SpDescriptor } from './settings.ts';
import { NS, escapeXml } from './xml.ts';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/**
 * Our SP metadata: entity id, ACS (HTTP-POST), SLO (Redirect and POST), NameID format, and
 * every published certificate (current, and next or previous during a rotation) for both
 * signing and encryption, so an identity service can switch keys without a gap.
 */
export function spMetadataXml(config: SamlAppConfig, sp: SpDescriptor, certificates: string[]): string {
  const keyInfo = (cert: string) => `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  const keys = certificates
    .map((cert) =>
      `<md:KeyDescriptor use="signing">${keyInfo(cert)}</md:KeyDescriptor>` +
      `<md:KeyDescriptor use="encryption">${keyInfo(cert)}` +
      `<md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>` +
      `<md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>` +
      `<md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>` +
      `</md:KeyDescriptor>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="${NS.metadata}" xmlns:ds="${NS.dsig}" entityID="${escapeXml(sp.entityId)}">` +
    `<md:SPSSODescriptor AuthnRequestsSigned="${config.signAuthnRequests}" WantAssertionsSigned="${config.wantAssertionsSigned}"` +
    ` protocolSupportEnumeration="${NS.protocol}">` +
    keys +
    `<md:SingleLogoutService Binding="${REDIRECT}" Location="${escapeXml(sp.sloUrl)}"/>` +
    `<md:SingleLogoutService Binding="${POST}" Location="${escapeXml(sp.sloUrl)}"/>` +
    `<md:NameIDFormat>${NAME_ID_FORMAT_URN[config.nameIdFormat]}</md:NameIDFormat>` +
    `<md:AssertionConsumerService Binding="${POST}" Location="${escapeXml(sp.acsUrl)}" index="0" isDefault="true"/>` +
    `</md:SPSSODescriptor></md:EntityDescriptor>`
  );
}
