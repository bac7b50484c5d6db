import { FrontdoorError } from '../../core/errors.ts';
import { NS, elements } from './xml.ts';

// XML Signature algorithms we verify. HMAC is never accepted (a public key used as an HMAC
// secret is forgeable by anyone, the classic key-confusion forgery); SHA-1 only with the app's legacy flag.
// RSASSA-PSS as RFC 6931 section 2.3.10 names it (SHA-256, MGF1 with SHA-256, salt of the hash
// length): the one PSS identifier xml-crypto 6 verifies. The parameterized
// `http://www.w3.org/2007/05/xmldsig-more#rsa-pss` (RFC 9231, RSAPSSParams) it does not
// implement, so it stays outside the list: refused here rather than left to a library error.
export const RSA_PSS_SHA256 = 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1';
const SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  RSA_PSS_SHA256,
]);
const DIGEST_ALGORITHMS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512']);
const SHA1_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1_DIGEST = 'http://www.w3.org/2000/09/xmldsig#sha1';
const TRANSFORMS = new Set([
  'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);

/** Refuses any signature in the document that uses an algorithm outside the allowlist. */
export function checkSignatureAlgorithms(doc: Document | Element, allowSha1: boolean): void {
  const refuse = (what: string, algorithm: string) => {
    throw new FrontdoorError('sso.saml.algorithm_forbidden', `The SAML message uses a ${what} algorithm that is not allowed (${algorithm}).`, {
      check: 'algorithm', detail: algorithm,
    });
  };
  for (const method of elements(doc, NS.dsig, 'SignatureMethod')) {
    const algorithm = method.getAttribute('Algorithm') ?? '';
    if (!(SIGNATURE_ALGORITHMS.has(algorithm) || (allowSha1 && algorithm === SHA1_SIGNATURE))) refuse('signature', algorithm);
  }
  // Only the digests of signature references: RSA-OAEP key transport names its own
  // (SHA-1 by default in XML Encryption, which is not a signature digest).
  for (const method of elements(doc, NS.dsig, 'DigestMethod').filter((m) => (m.parentNode as Element | null)?.localName === 'Reference')) {
    const algorithm = method.getAttribute('Algorithm') ?? '';
    if (!(DIGEST_ALGORITHMS.has(algorithm) || (allowSha1 && algorithm === SHA1_DIGEST))) refuse('digest', algorithm);
  }
  for (const transform of elements(doc, NS.dsig, 'Transform')) {
    const algorithm = transform.getAttribute('Algorithm') ?? '';
    if (!TRANSFORMS.has(algorithm)) refuse('transform', algorithm);
  }
}

/** The query-string SigAlg of the Redirect binding, as a node:crypto hash name, or a refusal. */
export function redirectSignatureHash(sigAlg: string | undefined, allowSha1: boolean): string {
  switch (sigAlg) {
    case 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256':
      return 'sha256';
    case 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512':
      return 'sha512';
    case SHA1_SIGNATURE:
      if (allowSha1) return 'sha1';
  }
  throw new FrontdoorError('sso.saml.algorithm_forbidden', `The SAML message uses a signature algorithm that is not allowed (${sigAlg ?? 'none'}).`, {
    check: 'algorithm', detail: sigAlg,
  });
}
