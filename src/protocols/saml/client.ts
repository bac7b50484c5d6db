import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { IdpDescriptor } from './idp-metadata.ts';
import { NAME_ID_FORMAT_URN, type SamlAppConfig, type SpDescriptor, type SpKeys } from './settings.ts';

/**
 * A node-saml SP for one app and one use: it builds our AuthnRequests (signed, Redirect or
 * POST). Responses are validated by acs.ts around verifier.ts (its own node-saml SAML); the validation
 * options are still spelled out, safe, so that nothing using this client could validate
 * loosely: certificates from configuration only (node-saml, on xml-crypto 6, never reads
 * KeyInfo), audience checked, InResponseTo and times left to our own code (our clock, our
 * shared transaction store), so node-saml's own in-memory cache and wall clock are off.
 */
export function samlClient(
  config: SamlAppConfig,
  idp: IdpDescriptor,
  sp: SpDescriptor,
  keys: SpKeys | undefined,
  extra: { requestId?: string; binding?: 'redirect' | 'post' } = {},
): SAML {
  const binding = extra.binding ?? config.authnRequestBinding;
  return new SAML({
    entryPoint: (binding === 'post' ? idp.ssoPostUrl ?? idp.ssoRedirectUrl : idp.ssoRedirectUrl ?? idp.ssoPostUrl) ?? '',
    authnRequestBinding: binding === 'post' ? 'HTTP-POST' : 'HTTP-Redirect',
    // HTTP-POST carries plain base64 (Bindings 3.5.4); only HTTP-Redirect is DEFLATEd.
    skipRequestCompression: binding === 'post',
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    idpCert: idp.signingCertificates,
    idpIssuer: idp.entityId,
    ...(keys && config.signAuthnRequests ? { privateKey: keys.current.privateKey, publicCert: keys.current.certificate } : {}),
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    identifierFormat: NAME_ID_FORMAT_URN[config.nameIdFormat],
    // node-saml's default asks for PasswordProtectedTransport, which makes Entra refuse
    // people who signed in with a passkey or MFA: leave the method to the identity service.
    disableRequestedAuthnContext: true,
    wantAssertionsSigned: config.wantAssertionsSigned,
    wantAuthnResponseSigned: config.wantResponseSigned,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
    ...(extra.requestId ? { generateUniqueId: () => extra.requestId! } : {}),
    logoutUrl: idp.sloRedirectUrl ?? idp.sloPostUrl ?? '',
  });
}
