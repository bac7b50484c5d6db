import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { isFrontdoorError } from '../../../src/core/errors.ts';
import { checkSignatureAlgorithms } from '../../../src/protocols/saml/algorithms.ts';
import { signedBytesOf } from '../../../src/protocols/saml/signature.ts';
import { generateKeyPair, type KeyPair } from '../../../src/protocols/saml/sp-keys.ts';
import { parseUntrustedXml } from '../../../src/protocols/saml/xml.ts';

// signedBytesOf (src/protocols/saml/signature.ts): xml-crypto's public API under node-saml's
// getVerifiedXml rules, for the logout POST binding and a signed Response's InResponseTo. It
// returns exactly what xml-crypto's checkSignature + getSignedReferences give, and refuses
// what node-saml refuses.

const NS_P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const EXC_C14N_COMMENTS = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const C14N_COMMENTS = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const ASSERTION = "//*[local-name(.)='Assertion']";
const RESPONSE = "/*[local-name(.)='Response']";

const serialize = (node: Node) => new XMLSerializer().serializeToString(node as never);

/** A response in the shape IdPs send, with namespaces declared on the root (so ancestors matter to c14n). */
function response(options: { comment?: boolean; assertionId?: string } = {}): string {
  return (
    `<samlp:Response xmlns:samlp="${NS_P}" xmlns:saml="${NS_A}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_r1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z">` +
    `<saml:Issuer>https://idp.example</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${options.assertionId ?? '_a1'}" Version="2.0" IssueInstant="2030-01-01T00:00:00Z">` +
    `<saml:Issuer>https://idp.example</saml:Issuer>` +
    `<saml:Subject><saml:NameID>alice@example.com</saml:NameID></saml:Subject>` +
    `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">${options.comment ? 'al<!-- a comment -->ice' : 'alice'}@example.com</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`
  );
}

/** Signs the element at `xpath` with an enveloped signature placed after its Issuer. */
function sign(
  xml: string,
  keys: KeyPair,
  options: { xpath?: string; canonicalization?: string; transforms?: string[]; prefixes?: string[]; signedInfoPrefixes?: string; signatureAlgorithm?: string; digestAlgorithm?: string } = {},
): string {
  const xpath = options.xpath ?? ASSERTION;
  const sig = new SignedXml({ privateKey: keys.privateKey, publicCert: keys.certificate });
  sig.signatureAlgorithm = (options.signatureAlgorithm ?? RSA_SHA256) as never;
  sig.canonicalizationAlgorithm = options.canonicalization ?? EXC_C14N;
  if (options.signedInfoPrefixes) sig.inclusiveNamespacesPrefixList = options.signedInfoPrefixes.split(' ');
  sig.addReference({ xpath, digestAlgorithm: options.digestAlgorithm ?? SHA256, transforms: options.transforms ?? [ENVELOPED, EXC_C14N], inclusiveNamespacesPrefixList: options.prefixes ?? [] });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

function assertionOf(doc: Document): Element {
  return doc.getElementsByTagNameNS(NS_A, 'Assertion')[0] as Element;
}

/** The signed bytes, or undefined; refusals are returned as their FrontdoorError code and detail. */
function verify(doc: Document, pick: (doc: Document) => Element, certificates: string[]): string | undefined | { refused: string; detail: string } {
  try {
    return signedBytesOf(serialize(doc), pick(doc), certificates);
  } catch (error) {
    if (isFrontdoorError(error)) return { refused: error.code, detail: String(error.details?.detail ?? '') };
    throw error;
  }
}
const root = (doc: Document) => doc.documentElement;

/** What xml-crypto's own checkSignature says it verified for the signature on `element`. */
function xmlCryptoSignedBytes(xml: string, element: Element, certificate: string): string | undefined {
  const sig = new SignedXml({ publicCert: certificate });
  sig.loadSignature(element.getElementsByTagNameNS(NS_DS, 'Signature')[0]!);
  try {
    return sig.checkSignature(xml) ? sig.getSignedReferences()[0] : undefined;
  } catch {
    return undefined;
  }
}

describe('SAML XML signature verification through xml-crypto\'s public API', () => {
  let idp: KeyPair;
  let attacker: KeyPair;
  before(async () => {
    idp = await generateKeyPair('IdP');
    attacker = await generateKeyPair('Attacker');
  });

  describe('returns what xml-crypto verified, for every canonicalization it accepts', () => {
    const variants: { name: string; options: Parameters<typeof sign>[2]; comment?: boolean }[] = [
      { name: 'exclusive c14n (what IdPs send)', options: {} },
      { name: 'exclusive c14n, a comment inside the signed element', options: {}, comment: true },
      { name: 'exclusive c14n WithComments (a same-document reference drops comments anyway)', options: { transforms: [ENVELOPED, EXC_C14N_COMMENTS] }, comment: true },
      { name: 'exclusive c14n with an InclusiveNamespaces PrefixList', options: { prefixes: ['xs', 'xsi'] } },
      { name: 'exclusive c14n with a PrefixList on SignedInfo too', options: { prefixes: ['xs'], signedInfoPrefixes: 'samlp' } },
      { name: 'inclusive c14n (ancestor namespaces rendered)', options: { canonicalization: C14N, transforms: [ENVELOPED, C14N] } },
      { name: 'inclusive c14n WithComments', options: { canonicalization: C14N_COMMENTS, transforms: [ENVELOPED, C14N_COMMENTS] }, comment: true },
      { name: 'enveloped-signature alone (inclusive c14n implied)', options: { transforms: [ENVELOPED] } },
      { name: 'the Response signed', options: { xpath: RESPONSE } },
    ];
    for (const variant of variants) {
      it(variant.name, () => {
        const xml = sign(response({ comment: variant.comment }), idp, variant.options);
        const doc = parseUntrustedXml(xml);
        const element = variant.options?.xpath === RESPONSE ? doc.documentElement : assertionOf(doc);
        const ours = signedBytesOf(xml, element, [idp.certificate]);
        assert.equal(typeof ours, 'string', 'verifies');
        assert.equal(ours, xmlCryptoSignedBytes(xml, element, idp.certificate), 'the same signed bytes as xml-crypto');
        assert.doesNotMatch(ours!, /<!--/, 'comments are not part of the signed bytes');
        assert.doesNotMatch(ours!, /SignatureValue/, 'the enveloped signature is not part of the signed bytes');
      });
    }
  });

  it('altered content or an altered digest does not verify', () => {
    const xml = sign(response(), idp);
    assert.equal(verify(parseUntrustedXml(xml.replace('>alice@example.com</saml:NameID>', '>admin@example.com</saml:NameID>')), assertionOf, [idp.certificate]), undefined);
    const digest = /<ds:DigestValue>([^<]+)</.exec(xml)![1]!;
    const otherDigest = Buffer.from(Buffer.from(digest, 'base64').map((b) => b ^ 1)).toString('base64');
    assert.equal(verify(parseUntrustedXml(xml.replace(digest, otherDigest)), assertionOf, [idp.certificate]), undefined);
  });

  it('a comment inside DigestValue does not verify (CVE-2025-29775, fixed in xml-crypto 6.0.1)', () => {
    const xml = sign(response(), idp, { canonicalization: EXC_C14N_COMMENTS });
    const commented = xml.replace(/<ds:DigestValue>([^<]{4})/, '<ds:DigestValue>$1<!---->');
    assert.notEqual(typeof verify(parseUntrustedXml(commented), assertionOf, [idp.certificate]), 'string');
  });

  it('uses only the configured certificates: a certificate in KeyInfo is ignored', () => {
    const xml = sign(response(), attacker);
    assert.match(xml, /<ds:X509Certificate>/, 'the signer\'s certificate travels in KeyInfo');
    assert.equal(verify(parseUntrustedXml(xml), assertionOf, [idp.certificate]), undefined);
    assert.equal(typeof verify(parseUntrustedXml(xml), assertionOf, [attacker.certificate]), 'string', 'control: valid under the signer\'s own key');
    assert.equal(typeof verify(parseUntrustedXml(xml), assertionOf, [idp.certificate, attacker.certificate]), 'string', 'any configured certificate may verify (rollover)');
  });

  it('a signature on another element than the one read is not the assertion\'s', () => {
    const doc = parseUntrustedXml(sign(response(), idp, { xpath: RESPONSE }));
    assert.equal(verify(doc, assertionOf, [idp.certificate]), undefined);
    // A signature placed in the assertion but referencing the Response: refused outright.
    const moved = parseUntrustedXml(sign(response(), idp, { xpath: RESPONSE }));
    const signature = moved.documentElement.getElementsByTagNameNS(NS_DS, 'Signature')[0]!;
    const assertion = assertionOf(moved);
    assertion.insertBefore(signature, assertion.firstChild!.nextSibling);
    assert.deepEqual(verify(moved, assertionOf, [idp.certificate]), { refused: 'sso.saml.signature_invalid', detail: 'Invalid signature: Referenced node does not refer to it\'s parent element' });
  });

  it('a reference to another ID is refused, also when that element is the assertion\'s copy', () => {
    const xml = sign(response({ assertionId: '_a1' }), idp);
    const doc = parseUntrustedXml(xml.replace('<saml:Assertion ID="_a1"', '<saml:Assertion ID="_other"').replace('<samlp:Status>', '<samlp:Status ID="_a1">'));
    assert.equal((verify(doc, assertionOf, [idp.certificate]) as { refused: string }).refused, 'sso.saml.signature_invalid');
  });

  it('two signatures on one element are refused', () => {
    const doc = parseUntrustedXml(sign(response(), idp));
    const assertion = assertionOf(doc);
    const signature = assertion.getElementsByTagNameNS(NS_DS, 'Signature')[0]!;
    assertion.insertBefore(signature.cloneNode(true), signature);
    assert.deepEqual(verify(doc, assertionOf, [idp.certificate]), { refused: 'sso.saml.signature_invalid', detail: 'Too many signatures found for this element' });
  });

  it('the signed ID held by another element too, even as a namespaced attribute, is refused', () => {
    const xml = sign(response(), idp);
    const doc = parseUntrustedXml(xml.replace('<samlp:Status>', '<samlp:Status xmlns:x="urn:x" x:ID="_a1">'));
    assert.deepEqual(verify(doc, assertionOf, [idp.certificate]), { refused: 'sso.saml.signature_invalid', detail: 'Invalid signature: ID cannot refer to more than one element' });
  });

  it('more than one reference does not verify; more than two transforms are refused', () => {
    // A valid signature with two references (xml-crypto accepts it; node-saml does not, SAML Core 5.4.2).
    const sig = new SignedXml({ privateKey: idp.privateKey, publicCert: idp.certificate });
    sig.signatureAlgorithm = RSA_SHA256;
    sig.canonicalizationAlgorithm = EXC_C14N;
    for (let i = 0; i < 2; i++) sig.addReference({ xpath: ASSERTION, digestAlgorithm: SHA256, transforms: [ENVELOPED] });
    sig.computeSignature(response(), { prefix: 'ds', location: { reference: `${ASSERTION}/*[local-name(.)='Issuer']`, action: 'after' } });
    const withTwo = parseUntrustedXml(sig.getSignedXml());
    assert.equal(withTwo.getElementsByTagNameNS(NS_DS, 'Reference').length, 2);
    assert.ok(xmlCryptoSignedBytes(sig.getSignedXml(), assertionOf(withTwo), idp.certificate), 'control: xml-crypto alone accepts it');
    assert.equal(verify(withTwo, assertionOf, [idp.certificate]), undefined);
    const three = parseUntrustedXml(sign(response(), idp, { transforms: [ENVELOPED, EXC_C14N, EXC_C14N] }));
    assert.deepEqual(verify(three, assertionOf, [idp.certificate]), { refused: 'sso.saml.signature_invalid', detail: 'Invalid signature, too many transforms' });
  });

  it('a reference URI that is not "#" and the element\'s ID is refused', () => {
    const xml = sign(response(), idp);
    for (const uri of ['', '#', '_a1', "#_a1'"]) {
      const doc = parseUntrustedXml(xml.replace('URI="#_a1"', `URI="${uri}"`));
      assert.equal((verify(doc, assertionOf, [idp.certificate]) as { refused: string }).refused, 'sso.saml.signature_invalid', uri);
    }
  });

  it('SHA-1 only with allowSha1 (the allowlist runs before xml-crypto, which would accept it)', () => {
    const xml = sign(response(), idp, { signatureAlgorithm: RSA_SHA1, digestAlgorithm: SHA1 });
    assert.throws(() => checkSignatureAlgorithms(parseUntrustedXml(xml), false), (e: unknown) => isFrontdoorError(e) && e.code === 'sso.saml.algorithm_forbidden');
    checkSignatureAlgorithms(parseUntrustedXml(xml), true);
    assert.equal(typeof verify(parseUntrustedXml(xml), assertionOf, [idp.certificate]), 'string');
  });

  it('the Response root, as the logout POST binding reads it', () => {
    const doc = parseUntrustedXml(sign(response(), idp, { xpath: RESPONSE }));
    assert.match(String(verify(doc, root, [idp.certificate])), /^<samlp:Response /);
  });
});
