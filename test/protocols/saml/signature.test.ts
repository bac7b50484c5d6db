import assert from 'node:assert/strict';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { isFrontdoorError } from '../../../src/core/errors.ts';
import type { IdpDescriptor } from '../../../src/protocols/saml/idp-metadata.ts';
import { prepareEnvelopedSignature, signingKeysOf, verifyPreparedSignature } from '../../../src/protocols/saml/signature.ts';
import { generateKeyPair, type KeyPair } from '../../../src/protocols/saml/sp-keys.ts';
import { parseUntrustedXml } from '../../../src/protocols/saml/xml.ts';

// The ACS's XML-DSig verifier (src/protocols/saml/signature.ts) on its own: that it computes
// exactly what xml-crypto's checkSignature computes for the same signature (so it accepts what
// node-saml accepted), and that it refuses what node-saml refused, and a few things more.

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

/** The canonical signed bytes, or undefined; refusals are returned as their FrontdoorError code and detail. */
function verify(element: Element, keys: KeyObject[], allowSha1 = false): string | undefined | { refused: string; detail: string } {
  try {
    const prepared = prepareEnvelopedSignature(element, allowSha1);
    return prepared && verifyPreparedSignature(prepared, keys);
  } catch (error) {
    if (isFrontdoorError(error)) return { refused: error.code, detail: String(error.details?.detail ?? '') };
    throw error;
  }
}

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

describe('SAML XML signature verification (the ACS verifier)', () => {
  let idp: KeyPair;
  let attacker: KeyPair;
  let idpKey: KeyObject;
  let attackerKey: KeyObject;
  before(async () => {
    idp = await generateKeyPair('IdP');
    attacker = await generateKeyPair('Attacker');
    idpKey = createPublicKey(idp.certificate);
    attackerKey = createPublicKey(attacker.certificate);
  });

  describe('computes what xml-crypto computes, for every canonicalization it accepts', () => {
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
        const before = serialize(doc);
        const ours = verify(element, [idpKey]);
        assert.equal(typeof ours, 'string', `verifies: ${JSON.stringify(ours)}`);
        assert.equal(ours, xmlCryptoSignedBytes(xml, element, idp.certificate), 'the same signed bytes as xml-crypto');
        assert.equal(serialize(doc), before, 'the document is left as it was');
        assert.doesNotMatch(ours as string, /<!--/, 'comments are not part of the signed bytes');
        assert.doesNotMatch(ours as string, /SignatureValue/, 'the enveloped signature is not part of the signed bytes');
      });
    }
  });

  it('altered content or an altered SignedInfo does not verify', () => {
    const xml = sign(response(), idp);
    assert.equal(verify(assertionOf(parseUntrustedXml(xml.replace('>alice@example.com</saml:NameID>', '>admin@example.com</saml:NameID>'))), [idpKey]), undefined);
    const digest = /<ds:DigestValue>([^<]+)</.exec(xml)![1]!;
    const otherDigest = Buffer.from(Buffer.from(digest, 'base64').map((b) => b ^ 1)).toString('base64');
    assert.equal(verify(assertionOf(parseUntrustedXml(xml.replace(digest, otherDigest))), [idpKey]), undefined);
  });

  it('a comment inside DigestValue is refused, not read around (CVE-2025-29775)', () => {
    const xml = sign(response(), idp, { canonicalization: EXC_C14N_COMMENTS });
    const commented = xml.replace(/<ds:DigestValue>([^<]{4})/, '<ds:DigestValue>$1<!---->');
    const result = verify(assertionOf(parseUntrustedXml(commented)), [idpKey]);
    assert.deepEqual(typeof result === 'object' && result.refused, 'sso.saml.signature_invalid');
  });

  it('uses only the configured keys: a certificate in KeyInfo is ignored', () => {
    const xml = sign(response(), attacker);
    assert.match(xml, /<ds:X509Certificate>/, 'the signer\'s certificate travels in KeyInfo');
    assert.equal(verify(assertionOf(parseUntrustedXml(xml)), [idpKey]), undefined);
    assert.equal(typeof verify(assertionOf(parseUntrustedXml(xml)), [attackerKey]), 'string', 'control: valid under the signer\'s own key');
    assert.equal(typeof verify(assertionOf(parseUntrustedXml(xml)), [idpKey, attackerKey]), 'string', 'any configured key may verify (rollover)');
  });

  it('a signature on another element than the one read is not the assertion\'s', () => {
    // The Response is signed; the assertion (what is read) carries no signature of its own.
    const doc = parseUntrustedXml(sign(response(), idp, { xpath: RESPONSE }));
    assert.equal(verify(assertionOf(doc), [idpKey]), undefined);
    // A signature placed in the assertion but referencing the Response: refused outright.
    const moved = parseUntrustedXml(sign(response(), idp, { xpath: RESPONSE }));
    const signature = moved.documentElement.getElementsByTagNameNS(NS_DS, 'Signature')[0]!;
    const assertion = assertionOf(moved);
    assertion.insertBefore(signature, assertion.firstChild!.nextSibling);
    assert.deepEqual(verify(assertion, [idpKey]), { refused: 'sso.saml.signature_invalid', detail: 'Invalid signature: Referenced node does not refer to it\'s parent element' });
  });

  it('a reference to another ID is refused, also when that element is the assertion\'s copy', () => {
    // The assertion's signature, its reference pointing at a sibling element that carries the ID.
    const xml = sign(response({ assertionId: '_a1' }), idp);
    const doc = parseUntrustedXml(xml.replace('<saml:Assertion ID="_a1"', '<saml:Assertion ID="_other"').replace('<samlp:Status>', '<samlp:Status ID="_a1">'));
    assert.equal((verify(assertionOf(doc), [idpKey]) as { refused: string }).refused, 'sso.saml.signature_invalid');
  });

  it('two signatures on one element are refused', () => {
    const xml = sign(response(), idp);
    const doc = parseUntrustedXml(xml);
    const assertion = assertionOf(doc);
    const signature = assertion.getElementsByTagNameNS(NS_DS, 'Signature')[0]!;
    assertion.insertBefore(signature.cloneNode(true), signature);
    assert.deepEqual(verify(assertion, [idpKey]), { refused: 'sso.saml.signature_invalid', detail: 'Too many signatures found for this element' });
  });

  it('the signed ID held by another element too, even as a namespaced attribute, is refused', () => {
    const xml = sign(response(), idp);
    const doc = parseUntrustedXml(xml.replace('<samlp:Status>', '<samlp:Status xmlns:x="urn:x" x:ID="_a1">'));
    assert.deepEqual(verify(assertionOf(doc), [idpKey]), { refused: 'sso.saml.signature_invalid', detail: 'Invalid signature: ID cannot refer to more than one element' });
  });

  it('more than one reference does not verify; more than two transforms, or another order, are refused', () => {
    // A valid signature with two references (xml-crypto accepts it; node-saml did not, SAML Core 5.4.2).
    const sig = new SignedXml({ privateKey: idp.privateKey, publicCert: idp.certificate });
    sig.signatureAlgorithm = RSA_SHA256;
    sig.canonicalizationAlgorithm = EXC_C14N;
    // One transform each: node-saml counts all of a signature's transforms (at most two).
    for (let i = 0; i < 2; i++) sig.addReference({ xpath: ASSERTION, digestAlgorithm: SHA256, transforms: [ENVELOPED] });
    sig.computeSignature(response(), { prefix: 'ds', location: { reference: `${ASSERTION}/*[local-name(.)='Issuer']`, action: 'after' } });
    const withTwo = parseUntrustedXml(sig.getSignedXml());
    assert.equal(withTwo.getElementsByTagNameNS(NS_DS, 'Reference').length, 2);
    assert.ok(xmlCryptoSignedBytes(sig.getSignedXml(), assertionOf(withTwo), idp.certificate), 'control: xml-crypto alone accepts it');
    assert.equal(verify(assertionOf(withTwo), [idpKey]), undefined);

    const three = parseUntrustedXml(sign(response(), idp, { transforms: [ENVELOPED, EXC_C14N, EXC_C14N] }));
    assert.deepEqual(verify(assertionOf(three), [idpKey]), { refused: 'sso.saml.signature_invalid', detail: 'Invalid signature, too many transforms' });
    const reversed = parseUntrustedXml(sign(response(), idp, { transforms: [EXC_C14N, ENVELOPED] }));
    assert.equal((verify(assertionOf(reversed), [idpKey]) as { refused: string }).refused, 'sso.saml.signature_invalid');
  });

  it('a reference URI that is not "#" and the element\'s ID is refused', () => {
    const xml = sign(response(), idp);
    for (const uri of ['', '#', '_a1', "#_a1'"]) {
      const doc = parseUntrustedXml(xml.replace('URI="#_a1"', `URI="${uri}"`));
      assert.equal((verify(assertionOf(doc), [idpKey]) as { refused: string }).refused, 'sso.saml.signature_invalid', uri);
    }
  });

  it('SHA-1 only with allowSha1', () => {
    const xml = sign(response(), idp, { signatureAlgorithm: RSA_SHA1, digestAlgorithm: SHA1 });
    assert.equal((verify(assertionOf(parseUntrustedXml(xml)), [idpKey]) as { refused: string }).refused, 'sso.saml.algorithm_forbidden');
    assert.equal(typeof verify(assertionOf(parseUntrustedXml(xml)), [idpKey], true), 'string');
  });

  it('imports the IdP certificates once per descriptor', () => {
    const descriptor = { entityId: 'https://idp.example', signingCertificates: [idp.certificate, attacker.certificate] } as IdpDescriptor;
    const keys = signingKeysOf(descriptor);
    assert.equal(keys.length, 2);
    assert.equal(keys[0]!.type, 'public');
    assert.equal(signingKeysOf(descriptor), keys, 'the same keys for the same descriptor');
    const rebuilt = { ...descriptor, signingCertificates: [idp.certificate] } as IdpDescriptor;
    assert.equal(signingKeysOf(rebuilt)[0], keys[0], 'and the same key for the same certificate in a rebuilt descriptor');
  });
});
