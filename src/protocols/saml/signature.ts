import { SignedXml } from 'xml-crypto';
import { FrontdoorError } from '../../core/errors.ts';
import { NS, allElements, children } from './xml.ts';

// XML Signature verification of one element (XML-DSig Core 3.2, SAML Core 5.4) through
// xml-crypto's public API only: SignedXml.loadSignature, getReferences, checkSignature and
// getSignedReferences. node-saml (its public SAML class, in verifier.ts) decides the ACS's
// signatures; this is for what its public API cannot express: a POST-binding logout message
// (node-saml's own check is not exported) and the InResponseTo of a signed Response whose
// assertion names none (node-saml reads that attribute from the unsigned document).
//
// The rules are node-saml 5.1's getVerifiedXml (lib/xml.js), which it applies to responses:
// exactly one enveloped signature among the element's children, at most two transforms, one
// Reference whose URI is "#" and the element's own ID, that ID on no other element, keys from
// configuration only (xml-crypto 6 never takes a certificate from KeyInfo unless asked), and
// the result is the canonical bytes the digest covers (getSignedReferences): callers parse and
// read only those, never the posted document. Algorithms were checked before (algorithms.ts).

const refuse = (detail: string): never => {
  throw new FrontdoorError('sso.saml.signature_invalid', 'The SAML message does not carry a valid signature of the identity service.', { check: 'signature', detail });
};

/**
 * The signed bytes of `element` (of the document `xml` was parsed into) when its enveloped
 * signature verifies with one of `certificates`; undefined when it has no signature or none
 * verifies. A malformed signature (two of them, too many transforms, a reference to another
 * element or to an ID another element also holds) is refused, as node-saml does.
 */
export function signedBytesOf(xml: string, element: Element, certificates: string[]): string | undefined {
  const signatures = children(element, NS.dsig, 'Signature');
  if (signatures.length === 0) return undefined;
  if (signatures.length > 1) refuse('Too many signatures found for this element');
  const signature = signatures[0]!;
  if (signature.getElementsByTagNameNS(NS.dsig, 'Transform').length > 2) refuse('Invalid signature, too many transforms');
  const id = element.getAttribute('ID');
  if (!id) refuse('the signed element has no ID');
  // xml-crypto resolves the reference by looking the ID up in its own parse of `xml`: it must
  // be this element, and no other (signature wrapping, XSW1-8), whatever attribute spelling.
  if (idHolders(element.ownerDocument, id!) !== 1) refuse('Invalid signature: ID cannot refer to more than one element');
  // As node-saml: the processor normalizes line ends (XML 1.0 section 2.11) before xml-crypto.
  const normalized = xml.replace(/\r\n?/g, '\n');
  for (const certificate of certificates) {
    const verifier = new SignedXml({ publicCert: certificate });
    verifier.loadSignature(signature);
    const references = verifier.getReferences();
    if (references.length !== 1) return undefined;
    if (references[0]!.uri !== `#${id}`) refuse('Invalid signature: Referenced node does not refer to it\'s parent element');
    let valid = false;
    try {
      valid = verifier.checkSignature(normalized);
    } catch {
      valid = false; // xml-crypto throws for a digest that does not match: try the next key
    }
    if (!valid) continue;
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1) refuse('Only 1 signed references should be present in signature');
    return signed[0]!;
  }
  return undefined;
}

/** How many elements carry `id` as an ID, Id or id attribute, in any namespace (xmlns excluded). */
function idHolders(doc: Document, id: string): number {
  let count = 0;
  for (const candidate of allElements(doc)) {
    const attributes = candidate.attributes;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes[i]!;
      if (['ID', 'Id', 'id'].includes(attribute.localName ?? '') && attribute.value === id && attribute.prefix !== 'xmlns') {
        count += 1;
        break;
      }
    }
  }
  return count;
}
