import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { SignedXml } from 'xml-crypto';
import xmlenc from 'xml-encryption';
import { SAML_CONFIG_SCHEMAS } from '../../../src/protocols/saml/config.ts';
import { isFrontdoorError } from '../../../src/core/errors.ts';
import { consumeSamlResponse } from '../../../src/protocols/saml/acs.ts';
import type { IdpDescriptor } from '../../../src/protocols/saml/idp-metadata.ts';
import { samlUrlsFor, type SamlAppConfig, type SpKeys } from '../../../src/protocols/saml/settings.ts';
import { generateKeyPair, type KeyPair } from '../../../src/protocols/saml/sp-keys.ts';

// consumeSamlResponse under each signing configuration: which signature is required, where the
// facts are read from (only signed bytes), and the rules kept from node-saml's
// validatePostResponseAsync. Fixtures are named by what is signed.

const NS_P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NOW = new Date('2030-01-01T00:05:00Z');
const IDP = 'https://idp.example/entity';
const sp = samlUrlsFor({ slug: 'acs-unit' }, new URL('https://help.example.com'));
const ASSERTION = "//*[local-name(.)='Assertion']";
const RESPONSE = "/*[local-name(.)='Response']";
const encrypt = promisify(xmlenc.encrypt) as unknown as (content: string, options: Record<string, unknown>) => Promise<string>;

type Shape = {
  nameId?: string;
  assertionInResponseTo?: string | null;
  responseInResponseTo?: string | null;
  audience?: string;
  conditions?: string;
  responseExtra?: string;
};

function assertionXml(shape: Shape, standalone = false): string {
  const irt = shape.assertionInResponseTo === null ? '' : ` InResponseTo="${shape.assertionInResponseTo ?? '_req1'}"`;
  return (
    `<saml:Assertion${standalone ? ` xmlns:saml="${NS_A}"` : ''} ID="_a1" Version="2.0" IssueInstant="2030-01-01T00:04:00Z">` +
    `<saml:Issuer>${IDP}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${shape.nameId ?? 'alice@example.com'}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="2030-01-01T00:10:00Z" Recipient="${sp.acsUrl}"${irt}/></saml:SubjectConfirmation></saml:Subject>` +
    (shape.conditions ??
      `<saml:Conditions NotBefore="2030-01-01T00:04:00Z" NotOnOrAfter="2030-01-01T00:10:00Z"><saml:AudienceRestriction><saml:Audience>${shape.audience ?? sp.entityId}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`) +
    `<saml:AuthnStatement AuthnInstant="2030-01-01T00:04:00Z" SessionIndex="_s1"/>` +
    `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>alice@example.com</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
    `</saml:Assertion>`
  );
}

function responseXml(shape: Shape, assertion = assertionXml(shape)): string {
  const irt = shape.responseInResponseTo === null ? '' : ` InResponseTo="${shape.responseInResponseTo ?? '_req1'}"`;
  return (
    `<samlp:Response xmlns:samlp="${NS_P}" xmlns:saml="${NS_A}" ID="_r1" Version="2.0" IssueInstant="2030-01-01T00:04:00Z" Destination="${sp.acsUrl}"${irt}>` +
    `<saml:Issuer>${IDP}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `${shape.responseExtra ?? ''}${assertion}</samlp:Response>`
  );
}

function sign(xml: string, keys: KeyPair, xpath: string, signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'): string {
  const sig = new SignedXml({ privateKey: keys.privateKey, publicCert: keys.certificate });
  sig.signatureAlgorithm = signatureAlgorithm as never;
  sig.canonicalizationAlgorithm = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  sig.addReference({ xpath, digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256', transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'] });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

describe('consumeSamlResponse: signing configurations', () => {
  let idpKeys: KeyPair;
  let spKeys: KeyPair;
  let idp: IdpDescriptor;
  let keys: SpKeys;
  before(async () => {
    idpKeys = await generateKeyPair('IdP');
    spKeys = await generateKeyPair('SP');
    idp = {
      entityId: IDP, ssoRedirectUrl: 'https://idp.example/sso', ssoPostUrl: undefined, sloRedirectUrl: undefined, sloPostUrl: undefined,
      signingCertificates: [idpKeys.certificate], validUntil: undefined, source: 'fields', fetchedAt: undefined,
    };
    keys = { current: spKeys, decryption: [spKeys.privateKey], published: [spKeys.certificate] };
  });

  const configWith = (settings: Partial<SamlAppConfig> = {}): SamlAppConfig => ({
    ...SAML_CONFIG_SCHEMAS.saml.parse({ idpEntityId: IDP, idpSsoUrl: 'https://idp.example/sso', idpCertificate: idpKeys.certificate }),
    ...settings,
  });
  const consume = (xml: string, settings: Partial<SamlAppConfig> = {}) =>
    consumeSamlResponse({ samlResponse: Buffer.from(xml).toString('base64'), config: configWith(settings), idp, sp, keys, now: NOW });
  async function refusal(xml: string, settings: Partial<SamlAppConfig> = {}): Promise<string> {
    try {
      await consume(xml, settings);
    } catch (error) {
      if (isFrontdoorError(error)) return `${error.code} ${error.details?.check}`;
      throw error;
    }
    return 'accepted';
  }
  const signedAssertion = (shape: Shape = {}) => sign(responseXml(shape), idpKeys, ASSERTION);
  const signedResponse = (shape: Shape = {}) => sign(responseXml(shape), idpKeys, RESPONSE);
  const signedBoth = (shape: Shape = {}) => sign(signedAssertion(shape), idpKeys, RESPONSE);

  it('defaults (wantAssertionsSigned): a signed assertion, with or without a signed response', async () => {
    for (const xml of [signedAssertion(), signedBoth()]) {
      const verified = await consume(xml);
      assert.equal(verified.nameId, 'alice@example.com');
      assert.equal(verified.inResponseTo, '_req1');
      assert.deepEqual(verified.attributes, { email: ['alice@example.com'] });
    }
    assert.equal(await refusal(signedResponse()), 'sso.saml.signature_invalid signature', 'the response signed, not the assertion');
    assert.equal(await refusal(responseXml({})), 'sso.saml.signature_invalid signature', 'nothing signed');
  });

  it('a response that starts with an XML declaration (any encoding label, with or without a byte order mark) signs in', async () => {
    const post = (bytes: Buffer, settings: Partial<SamlAppConfig> = {}) =>
      consumeSamlResponse({ samlResponse: bytes.toString('base64'), config: configWith(settings), idp, sp, keys, now: NOW });
    for (const declaration of ['<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n', "<?xml version='1.0' encoding='utf-8' standalone='no'?>\r\n"]) {
      assert.equal((await post(Buffer.from(`${declaration}${signedBoth()}`), { wantResponseSigned: true })).nameId, 'alice@example.com');
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${declaration}${signedAssertion()}`)]);
      assert.equal((await post(bom)).nameId, 'alice@example.com');
    }
    // Signed over characters: bytes in the declared encoding verify once decoded with it.
    const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${signedBoth({ nameId: 'josé@example.com' })}`, 'latin1');
    assert.equal((await post(latin1, { wantResponseSigned: true })).nameId, 'josé@example.com');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${signedAssertion()}`, 'utf16le')]);
    assert.equal((await post(utf16)).nameId, 'alice@example.com');
    assert.equal(await refusal(`<?xml version="1.0"?><?xml-stylesheet href="x"?>${signedAssertion()}`), 'sso.saml.xml_forbidden processing_instruction');
  });

  it('RSA-PSS (RFC 6931 sha256-rsa-MGF1) verifies through node-saml and xml-crypto; the parameterized rsa-pss, which they do not implement, is refused', async () => {
    const pss = 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1';
    const assertionSigned = sign(responseXml({}), idpKeys, ASSERTION, pss);
    assert.match(assertionSigned, /sha256-rsa-MGF1/);
    assert.equal((await consume(assertionSigned)).nameId, 'alice@example.com');
    const both = sign(assertionSigned, idpKeys, RESPONSE, pss);
    assert.equal((await consume(both, { wantResponseSigned: true })).nameId, 'alice@example.com');
    assert.equal(await refusal(assertionSigned.replace('>alice@example.com</saml:NameID>', '>admin@example.com</saml:NameID>')), 'sso.saml.signature_invalid signature');
    assert.equal(await refusal(assertionSigned.replace(pss, 'http://www.w3.org/2007/05/xmldsig-more#rsa-pss')), 'sso.saml.algorithm_forbidden algorithm');
    // A PSS signature presented as PKCS#1 v1.5 does not verify (no algorithm confusion).
    assert.equal(await refusal(assertionSigned.replace(pss, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')), 'sso.saml.signature_invalid signature');
  });

  it('a response signature that does not verify is ignored when not needed, as node-saml did, and refused when it is', async () => {
    // The response altered after signing (its signature no longer verifies), the assertion intact.
    const altered = signedBoth().replace('<samlp:Response ', '<samlp:Response Consent="urn:oasis:names:tc:SAML:2.0:consent:obtained" ');
    assert.equal((await consume(altered)).nameId, 'alice@example.com');
    assert.equal(await refusal(altered, { wantResponseSigned: true }), 'sso.saml.signature_invalid signature');
    assert.equal((await consume(signedBoth(), { wantResponseSigned: true })).nameId, 'alice@example.com');
  });

  it('a malformed response signature is refused even when the assertion is signed', async () => {
    const both = signedBoth();
    const signature = /<ds:Signature[\s\S]*?<\/ds:Signature>/.exec(both)![0];
    const twice = both.replace(`${IDP}</saml:Issuer>${signature}`, `${IDP}</saml:Issuer>${signature}${signature}`);
    assert.notEqual(twice, both);
    assert.equal(await refusal(twice), 'sso.saml.signature_invalid signature');
  });

  it('wantAssertionsSigned off: a signed response suffices, and the assertion is read from its signed bytes', async () => {
    const settings = { wantAssertionsSigned: false, wantResponseSigned: true };
    assert.equal((await consume(signedResponse(), settings)).nameId, 'alice@example.com');
    assert.equal((await consume(signedResponse(), { wantAssertionsSigned: false })).nameId, 'alice@example.com');
    assert.equal(await refusal(signedAssertion(), settings), 'sso.saml.signature_invalid signature', 'wantResponseSigned: the response must be signed');
    assert.equal((await consume(signedAssertion(), { wantAssertionsSigned: false })).nameId, 'alice@example.com', 'either signature, when neither is required');
    assert.equal(await refusal(responseXml({}), { wantAssertionsSigned: false }), 'sso.saml.signature_invalid signature');
    const altered = signedResponse().replace('>alice@example.com</saml:NameID>', '>admin@example.com</saml:NameID>');
    assert.equal(await refusal(altered, settings), 'sso.saml.signature_invalid signature');
  });

  it('InResponseTo only on the Response counts only when the Response signature verifies', async () => {
    const shape = { assertionInResponseTo: null };
    assert.equal((await consume(signedBoth(shape))).inResponseTo, '_req1');
    assert.equal(await refusal(signedAssertion(shape)), 'sso.saml.in_response_to_invalid in_response_to_signed');
    const altered = signedBoth({ ...shape, responseInResponseTo: '_req1' }).replace('InResponseTo="_req1"', 'InResponseTo="_someone_elses"');
    assert.equal(await refusal(altered), 'sso.saml.in_response_to_invalid in_response_to_signed');
    assert.equal(await refusal(signedAssertion({ responseInResponseTo: '_other' })), 'sso.saml.in_response_to_invalid in_response_to', 'two different requests');
  });

  describe('encrypted assertions', () => {
    async function encryptedAssertion(signInner: boolean): Promise<string> {
      let assertion = assertionXml({}, true);
      if (signInner) assertion = sign(assertion, idpKeys, "/*[local-name(.)='Assertion']");
      const encryptedData = await encrypt(assertion, {
        rsa_pub: createPublicKey(spKeys.certificate).export({ type: 'spki', format: 'pem' }), pem: spKeys.certificate,
        encryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc', keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false,
      });
      return `<saml:EncryptedAssertion>${encryptedData}</saml:EncryptedAssertion>`;
    }

    it('the signature inside the decrypted assertion is verified', async () => {
      const verified = await consume(responseXml({}, await encryptedAssertion(true)));
      assert.equal(verified.encrypted, true);
      assert.equal(verified.nameId, 'alice@example.com');
      assert.equal(await refusal(responseXml({}, await encryptedAssertion(false))), 'sso.saml.signature_invalid signature');
    });

    it('wantAssertionsSigned off: an encrypted assertion under a signed response, decrypted from the signed bytes', async () => {
      const xml = sign(responseXml({}, await encryptedAssertion(false)), idpKeys, RESPONSE);
      const verified = await consume(xml, { wantAssertionsSigned: false, wantResponseSigned: true });
      assert.equal(verified.encrypted, true);
      assert.equal(verified.nameId, 'alice@example.com');
      assert.equal(await refusal(xml), 'sso.saml.signature_invalid signature', 'the default wants the assertion itself signed');
    });
  });

  describe('rules kept from node-saml', () => {
    it('the audience must be named exactly, in every restriction, whatever its namespace', async () => {
      assert.equal(await refusal(signedAssertion({ audience: ` ${sp.entityId} ` })), 'sso.saml.audience_invalid audience', 'untrimmed, as node-saml compared');
      const foreign = `<saml:Conditions NotOnOrAfter="2030-01-01T00:10:00Z"><saml:AudienceRestriction><saml:Audience>${sp.entityId}</saml:Audience></saml:AudienceRestriction>` +
        `<x:AudienceRestriction xmlns:x="urn:x"><x:Audience>https://other.example</x:Audience></x:AudienceRestriction></saml:Conditions>`;
      assert.equal(await refusal(signedAssertion({ conditions: foreign })), 'sso.saml.audience_invalid audience');
      const empty = `<saml:Conditions NotOnOrAfter="2030-01-01T00:10:00Z"><saml:AudienceRestriction><saml:Audience/><saml:Audience>${sp.entityId}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`;
      assert.equal(await refusal(signedAssertion({ conditions: empty })), 'sso.saml.audience_invalid audience', 'the first Audience empty');
    });

    it('Conditions: exactly one, and with attributes it must say when it ends', async () => {
      const audience = `<saml:AudienceRestriction><saml:Audience>${sp.entityId}</saml:Audience></saml:AudienceRestriction>`;
      assert.equal(await refusal(signedAssertion({ conditions: `<saml:Conditions NotBefore="2030-01-01T00:04:00Z">${audience}</saml:Conditions>` })), 'sso.saml.time_invalid not_on_or_after');
      assert.equal((await consume(signedAssertion({ conditions: `<saml:Conditions>${audience}</saml:Conditions>` }))).nameId, 'alice@example.com');
      const two = `<saml:Conditions NotOnOrAfter="2030-01-01T00:10:00Z">${audience}</saml:Conditions><saml:Conditions>${audience}</saml:Conditions>`;
      assert.equal(await refusal(signedAssertion({ conditions: two })), 'sso.saml.message_invalid conditions');
      assert.equal(await refusal(signedAssertion({ conditions: '' })), 'sso.saml.message_invalid conditions');
    });

    it('a second assertion in another namespace directly in the response is refused', async () => {
      const xml = signedAssertion({ responseExtra: '<x:Assertion xmlns:x="urn:x" ID="_x1"/>' });
      assert.equal(await refusal(xml), 'sso.saml.structure_invalid one_assertion');
    });
  });
});
