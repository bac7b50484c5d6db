import { createHash, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import {
  C14nCanonicalization,
  C14nCanonicalizationWithComments,
  ExclusiveCanonicalization,
  ExclusiveCanonicalizationWithComments,
  type NamespacePrefix,
} from 'xml-crypto';
import { findAncestorNsForElement } from 'xml-crypto/lib/utils.js';
import { FrontdoorError } from '../../core/errors.ts';
import { ImportedKeys } from '../../core/imported-keys.ts';
import type { IdpDescriptor } from './idp-metadata.ts';
import { NS, allElements, childElements, children, parseUntrustedXml, textOnly } from './xml.ts';

// XML Signature verification for the ACS (XML-DSig Core 3.2, SAML Core 5.4), single purpose:
// one enveloped signature, a direct child of the element it signs, whose one Reference names
// that element's ID. It replaces node-saml's validatePostResponseAsync + getVerifiedXml on the
// hot path and applies the same rules (lib/xml.js getVerifiedXml, xml-crypto 6 checkSignature):
// one signature per element, one reference, reference ID = the element's ID and held by no
// other element, at most two transforms, keys from configuration only (KeyInfo is never read),
// references read from the canonical SignedInfo (the bytes the SignatureValue covers), never
// from the document, and the result is the canonical bytes the digest covers: callers parse
// and read only those. It uses xml-crypto's canonicalizers, and not SignedXml.checkSignature,
// because that re-parses the whole document and runs some ten XPath queries per call (2.6 ms
// of CPU a signature here, more than all of the rest of the ACS); the reference is not looked
// up by ID in a second parse here, it is the very node the caller names.
//
// Stricter than xml-crypto only for shapes no signer produces (refused as malformed): a
// Reference URI that is not "#ID", a transform chain other than [enveloped-signature,] c14n,
// comments or elements inside DigestValue/SignatureValue, a Signature without exactly one
// dsig SignedInfo, CanonicalizationMethod, SignatureMethod and SignatureValue; and the signed
// ID on a second element as a namespaced attribute is refused (xml-crypto: "not verified").

const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const COMMENT = 8;
const INCLUSIVE_C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
type Canonicalizer = { process(node: Element, options: object): string };
const CANONICALIZERS: Record<string, Canonicalizer> = {
  [EXCLUSIVE_C14N]: new ExclusiveCanonicalization(),
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments': new ExclusiveCanonicalizationWithComments(),
  [INCLUSIVE_C14N]: new C14nCanonicalization(),
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments': new C14nCanonicalizationWithComments(),
};
// The algorithm allowlist itself is checkSignatureAlgorithms (algorithms.ts), run on the
// whole document first; these tables only name what this verifier can compute.
const DIGESTS: Record<string, { hash: string; sha1?: true }> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': { hash: 'sha256' },
  'http://www.w3.org/2001/04/xmlenc#sha512': { hash: 'sha512' },
  'http://www.w3.org/2000/09/xmldsig#sha1': { hash: 'sha1', sha1: true },
};
const SIGNATURES: Record<string, { hash: string; sha1?: true }> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { hash: 'RSA-SHA256' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { hash: 'RSA-SHA512' },
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { hash: 'RSA-SHA1', sha1: true },
};
// As xml-crypto does for prefixes a parser left without a namespace.
const DEFAULT_NS_FOR_PREFIX = { ds: NS.dsig };

/** A signature found on an element, checked for shape, not yet for its value. */
export type PreparedSignature = {
  element: Element;
  signature: Element;
  /** The canonical SignedInfo: what SignatureValue signs, and the only source of the reference. */
  signedInfo: string;
  signatureHash: string;
  signatureValue: string;
  /** Undefined when SignedInfo has not exactly one Reference: such a signature never verifies. */
  reference: { transforms: string[]; digestHash: string; digestValue: Buffer; inclusivePrefixes: string[] } | undefined;
};

const refuse = (detail: string): never => {
  throw new FrontdoorError('sso.saml.signature_invalid', 'The sign-in answer does not carry a valid signature of the identity service.', { check: 'signature', detail });
};

/**
 * The enveloped signature of `element`, or undefined when it has none. Refuses a malformed
 * one (node-saml threw for these whether or not the signature was needed): more than one
 * signature, more than two transforms, no or several SignedInfo, an unknown canonicalization,
 * a reference without digest, a reference URI that is not this element's ID, or an ID that
 * another element also holds.
 */
export function prepareEnvelopedSignature(element: Element, allowSha1: boolean): PreparedSignature | undefined {
  const signatures = children(element, NS.dsig, 'Signature');
  if (signatures.length === 0) return undefined;
  if (signatures.length > 1) refuse('Too many signatures found for this element');
  const signature = signatures[0]!;
  if (signature.getElementsByTagNameNS(NS.dsig, 'Transform').length > 2) refuse('Invalid signature, too many transforms');

  const signedInfos = childElements(signature, 'SignedInfo');
  if (signedInfos.length !== 1 || signedInfos[0]!.namespaceURI !== NS.dsig) refuse('a signature must have exactly one SignedInfo');
  const rawSignedInfo = signedInfos[0]!;
  const methods = children(rawSignedInfo, NS.dsig, 'CanonicalizationMethod');
  const canonicalizer = methods.length === 1 ? CANONICALIZERS[methods[0]!.getAttribute('Algorithm') ?? ''] : undefined;
  if (!canonicalizer) refuse(`canonicalization algorithm not supported (${methods[0]?.getAttribute('Algorithm') ?? 'none'})`);
  // Canonicalized once, with the declared algorithm, then parsed: every value used below
  // comes from these bytes (the ones the SignatureValue must sign), so nothing a canonical
  // form drops (comments, whitespace between attributes) can change what is verified.
  // Namespaces in scope are those of this SignedInfo (xml-crypto takes the first SignedInfo
  // of the document, which differs only when an inclusive c14n meets two signatures).
  const options = { ancestorNamespaces: findAncestorNsForElement(rawSignedInfo), defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX };
  const signedInfo = canonicalizer!.process(mayWriteTo(rawSignedInfo, []) ? (rawSignedInfo.cloneNode(true) as Element) : rawSignedInfo, options);
  const trusted = parseUntrustedXml(signedInfo).documentElement;
  const signatureMethods = children(trusted, NS.dsig, 'SignatureMethod');
  if (signatureMethods.length !== 1) refuse('a signature must have exactly one SignatureMethod');
  const signatureAlgorithm = SIGNATURES[signatureMethods[0]!.getAttribute('Algorithm') ?? ''];
  if (!signatureAlgorithm || (signatureAlgorithm.sha1 && !allowSha1)) {
    throw new FrontdoorError('sso.saml.algorithm_forbidden', 'The SAML message uses a signature algorithm that is not allowed.', {
      check: 'algorithm', detail: signatureMethods[0]!.getAttribute('Algorithm') ?? 'none',
    });
  }
  const signatureValues = children(signature, NS.dsig, 'SignatureValue');
  const signatureValue = signatureValues.length === 1 ? textOnly(signatureValues[0]!)?.replace(/\s+/g, '') : undefined;
  if (!signatureValue) refuse('a signature must have exactly one SignatureValue, holding only text');

  // xml-crypto reads every Reference (any namespace) and refuses one without a digest.
  const references = childElements(trusted, 'Reference').map((reference) => {
    const digestMethod = childElements(reference, 'DigestMethod')[0];
    const digestAlgorithm = digestMethod?.getAttribute('Algorithm');
    if (!digestAlgorithm) refuse('a reference has no DigestMethod Algorithm');
    const digestValues = childElements(reference, 'DigestValue');
    const digestText = digestValues.length === 1 ? textOnly(digestValues[0]!)?.trim() : undefined;
    if (!digestText) refuse('a reference must have exactly one DigestValue, holding only text');
    return { reference, digestAlgorithm: digestAlgorithm!, digestText: digestText! };
  });
  if (references.length === 0) refuse('could not find any Reference elements');
  const prepared: PreparedSignature = { element, signature, signedInfo, signatureHash: signatureAlgorithm!.hash, signatureValue: signatureValue!, reference: undefined };
  // node-saml: a signature with several references is not valid (without refusing by itself).
  if (references.length !== 1) return prepared;
  const { reference, digestAlgorithm, digestText } = references[0]!;

  const uri = reference.getAttribute('URI') ?? '';
  const id = uri.startsWith('#') ? uri.slice(1) : '';
  if (!id) refuse(`the signature reference must be "#" and the signed element's ID (got "${uri.slice(0, 100)}")`);
  if (/['"]/.test(id)) refuse('ref URI included quote character \' or ". Not a valid ID, and not allowed');
  // Signature wrapping works by making the reference resolve to another element than the one
  // read. Here it resolves to nothing: the element is given, and the reference must name it,
  // and no other element of the document may carry that ID (as ID, Id or id, any namespace:
  // what xml-crypto's own lookup would have counted).
  if (element.getAttribute('ID') !== id) refuse('Invalid signature: Referenced node does not refer to it\'s parent element');
  if (idHolders(element.ownerDocument, id) !== 1) refuse('Invalid signature: ID cannot refer to more than one element');

  const transformsElement = childElements(reference, 'Transforms')[0];
  const transformElements = transformsElement ? childElements(transformsElement, 'Transform') : [];
  const transforms = transformElements.map((t) => t.getAttribute('Algorithm')).filter((a): a is string => Boolean(a));
  // A node-set left by the last transform is serialized with inclusive c14n (XML-DSig 4.4.3.2).
  if (transforms.length === 0 || transforms.at(-1) === ENVELOPED) transforms.push(INCLUSIVE_C14N);
  const shapeOk = (transforms.length === 1 && CANONICALIZERS[transforms[0]!]) || (transforms.length === 2 && transforms[0] === ENVELOPED && CANONICALIZERS[transforms[1]!]);
  if (!shapeOk) refuse(`unsupported transforms (${transforms.join(', ')})`);
  const digest = DIGESTS[digestAlgorithm];
  if (!digest || (digest.sha1 && !allowSha1)) {
    throw new FrontdoorError('sso.saml.algorithm_forbidden', 'The SAML message uses a digest algorithm that is not allowed.', { check: 'algorithm', detail: digestAlgorithm });
  }
  const lastTransform = transformElements.at(-1);
  const inclusivePrefixes = (lastTransform ? childElements(lastTransform, 'InclusiveNamespaces') : [])
    .flatMap((n) => (n.getAttribute('PrefixList') ?? '').split(' '))
    .filter((p) => p.length > 0);
  prepared.reference = { transforms, digestHash: digest.hash, digestValue: Buffer.from(digestText, 'base64'), inclusivePrefixes };
  return prepared;
}

/**
 * Verifies a prepared signature against the given keys (the IdP's configured certificates).
 * Returns the canonical bytes the signature covers (the signed element, its signature
 * removed), or undefined when the digest or the signature value does not verify.
 */
export function verifyPreparedSignature(prepared: PreparedSignature, keys: KeyObject[]): string | undefined {
  const { element, signature, reference } = prepared;
  if (!reference) return undefined;
  // The same-document reference, dereferenced (XML-DSig 4.4.3.3: without comments), then the
  // enveloped-signature transform (this very Signature left out), then the canonicalization.
  const algorithm = reference.transforms.at(-1)!;
  const enveloped = reference.transforms[0] === ENVELOPED ? signature : undefined;
  const options = { inclusiveNamespacesPrefixList: reference.inclusivePrefixes, ancestorNamespaces: findAncestorNsForElement(element), defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX };
  let signed: string;
  const exclusive = algorithm.startsWith(EXCLUSIVE_C14N);
  if (exclusive && mayWriteTo(element, reference.inclusivePrefixes)) {
    const copy = element.cloneNode(true) as Element;
    if (enveloped) copy.removeChild(copy.childNodes[Array.prototype.indexOf.call(element.childNodes, enveloped)]!);
    removeComments(copy);
    signed = CANONICALIZERS[algorithm]!.process(copy, options);
  } else {
    signed = (exclusive ? new ExclusiveLeavingOut(enveloped) : new InclusiveLeavingOut(enveloped)).process(element, options);
  }
  if (!createHash(reference.digestHash).update(signed, 'utf8').digest().equals(reference.digestValue)) return undefined;
  for (const key of keys) {
    let valid = false;
    try {
      valid = createVerify(prepared.signatureHash).update(prepared.signedInfo).verify(key, prepared.signatureValue, 'base64');
    } catch {
      valid = false;
    }
    if (valid) return signed;
  }
  return undefined;
}

/**
 * Whether xml-crypto's exclusive c14n would write to the element it is given: with an
 * InclusiveNamespaces PrefixList (given, or read from a CanonicalizationMethod child of the
 * element) it declares inherited namespaces on it. Such an element is canonicalized as a copy
 * (as xml-crypto always does); any other is canonicalized where it is, unchanged, because
 * xmldom's cloneNode costs more than the canonicalization.
 */
function mayWriteTo(element: Element, prefixes: string[]): boolean {
  if (prefixes.length > 0) return true;
  const method = childElements(element, 'CanonicalizationMethod')[0];
  return method !== undefined && childElements(method, 'InclusiveNamespaces').length > 0;
}

/**
 * xml-crypto's canonicalizers, leaving out one node (the enveloped Signature) and every comment
 * (a same-document reference is dereferenced without them) as they recurse: both recurse through
 * processInner. Should a later version stop doing so, the Signature would be canonicalized too
 * and no digest would match: this fails closed.
 */
class ExclusiveLeavingOut extends ExclusiveCanonicalization {
  readonly #left: Node | undefined;
  constructor(left: Node | undefined) {
    super();
    this.#left = left;
  }
  override processInner(node: Node, prefixesInScope: unknown, defaultNs: unknown, defaultNsForPrefix: unknown, inclusivePrefixes: string[]): string {
    if (node === this.#left || node.nodeType === COMMENT) return '';
    return super.processInner(node, prefixesInScope, defaultNs, defaultNsForPrefix, inclusivePrefixes);
  }
}
class InclusiveLeavingOut extends C14nCanonicalization {
  readonly #left: Node | undefined;
  constructor(left: Node | undefined) {
    super();
    this.#left = left;
  }
  override processInner(node: Node, prefixesInScope: unknown, defaultNs: unknown, defaultNsForPrefix: unknown, ancestorNamespaces: unknown, namespacesInScope?: NamespacePrefix[]): string {
    if (node === this.#left || node.nodeType === COMMENT) return '';
    return super.processInner(node, prefixesInScope, defaultNs, defaultNsForPrefix, ancestorNamespaces, namespacesInScope);
  }
}

/** How many elements xml-crypto's reference lookup would find for `id` (ID, Id or id, any namespace). */
function idHolders(doc: Document, id: string): number {
  let count = 0;
  for (const candidate of allElements(doc)) {
    const attributes = candidate.attributes;
    for (const name of ['Id', 'ID', 'id']) {
      for (let i = 0; i < attributes.length; i++) {
        const attribute = attributes[i]!;
        if (attribute.localName === name && attribute.value === id && attribute.prefix !== 'xmlns' && attribute.name !== 'xmlns') {
          count += 1;
          break;
        }
      }
    }
  }
  return count;
}

function removeComments(node: Node): void {
  for (let current = node.firstChild; current; ) {
    const next = current.nextSibling;
    if (current.nodeType === COMMENT) node.removeChild(current);
    else if (current.nodeType === 1) removeComments(current);
    current = next;
  }
}

// The IdP's certificates are imported once per descriptor (the metadata cache hands out the
// same object until it refetches), and once per PEM for descriptors built per request (pasted
// metadata or fields): a certificate is never parsed again for each response.
const keysByDescriptor = new WeakMap<IdpDescriptor, KeyObject[]>();
const keysByPem = new ImportedKeys<KeyObject | null>();

/** The public keys of the IdP's configured signing certificates (never a message's KeyInfo). */
export function signingKeysOf(idp: IdpDescriptor): KeyObject[] {
  let keys = keysByDescriptor.get(idp);
  if (!keys) {
    keys = idp.signingCertificates.map(importCertificate).filter((k): k is KeyObject => k !== null);
    keysByDescriptor.set(idp, keys);
  }
  return keys;
}

function importCertificate(pem: string): KeyObject | null {
  return keysByPem.get(pem, () => {
    try {
      return createPublicKey(pem);
    } catch {
      return null; // as before: a certificate node:crypto cannot read verifies nothing
    }
  });
}
