import { createSign, createVerify } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { FrontdoorError } from '../../core/errors.ts';
import { redirectSignatureHash, checkSignatureAlgorithms } from './algorithms.ts';
import { signedBytesOf } from './signature.ts';
import { MAX_XML_BYTES, decodeXmlBytes, escapeXml, parseUntrustedXml } from './xml.ts';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

/**
 * An HTTP-Redirect binding URL (SAML Bindings 3.4.4): DEFLATE, base64, and with a key a
 * signature over the query exactly as sent.
 */
export function redirectBindingUrl(
  location: string,
  param: 'SAMLRequest' | 'SAMLResponse',
  xml: string,
  relayState: string | undefined,
  privateKey: string | undefined,
): string {
  let query = `${param}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
  if (relayState) query += `&RelayState=${encodeURIComponent(relayState)}`;
  if (privateKey) {
    query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    const signature = createSign('RSA-SHA256').update(query).sign(privateKey, 'base64');
    query += `&Signature=${encodeURIComponent(signature)}`;
  }
  const url = new URL(location);
  return `${url.href}${url.search ? '&' : '?'}${query}`;
}

/**
 * Reads and verifies an HTTP-Redirect binding message. The signature is required and
 * checked over the raw query parameters as received; the DEFLATE stream may not inflate
 * past the XML size limit (a small "zip bomb" query cannot fill memory).
 */
export function readRedirectBinding(
  rawQuery: string,
  param: 'SAMLRequest' | 'SAMLResponse',
  certificates: string[],
  allowSha1: boolean,
  code: 'sso.saml.logout_invalid' = 'sso.saml.logout_invalid',
): { xml: string; doc: Document; relayState: string | undefined } {
  const raw = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index);
    if (raw.has(name)) throw new FrontdoorError(code, 'A SAML parameter appears twice.', { check: 'query' });
    raw.set(name, part.slice(index + 1));
  }
  const decode = (v: string | undefined) => (v === undefined ? undefined : decodeURIComponent(v.replace(/\+/g, ' ')));
  const message = decode(raw.get(param));
  if (!message) throw new FrontdoorError(code, `No ${param} in the request.`, { check: 'message_present' });
  const sigAlg = decode(raw.get('SigAlg'));
  const signature = decode(raw.get('Signature'));
  if (!signature || !sigAlg) throw new FrontdoorError('sso.saml.signature_invalid', 'The SAML message is not signed.', { check: 'signature' });
  const hash = redirectSignatureHash(sigAlg, allowSha1);
  let signed = `${param}=${raw.get(param)}`;
  if (raw.has('RelayState')) signed += `&RelayState=${raw.get('RelayState')}`;
  signed += `&SigAlg=${raw.get('SigAlg')}`;
  const valid = certificates.some((cert) => {
    try {
      return createVerify(hash).update(signed).verify(cert, signature, 'base64');
    } catch {
      return false;
    }
  });
  if (!valid) throw new FrontdoorError('sso.saml.signature_invalid', 'The SAML message signature is not valid.', { check: 'signature' });
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(Buffer.from(message, 'base64'), { maxOutputLength: MAX_XML_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FrontdoorError('sso.saml.too_large', 'The SAML message is too large.', { check: 'inflate_size' });
    }
    throw new FrontdoorError(code, 'The SAML message cannot be decompressed.', { check: 'inflate' });
  }
  const xml = decodeXmlBytes(inflated);
  return { xml, doc: parseUntrustedXml(xml), relayState: decode(raw.get('RelayState')) };
}

/**
 * Verifies the enveloped signature on the root of a POST-binding logout message (SAML Bindings
 * 3.5.4) with xml-crypto's public API (signature.ts) and returns a parse of the signed bytes
 * only. node-saml's own check for these (validatePostRequestAsync) would also run its logout
 * rules on the real clock and cannot take a LogoutResponse that reports a failure; ours are in logout.ts.
 */
export function verifyPostBindingRoot(xml: string, doc: Document, certificates: string[], allowSha1: boolean): Document {
  checkSignatureAlgorithms(doc, allowSha1);
  const verified = signedBytesOf(xml, doc.documentElement, certificates);
  if (!verified) throw new FrontdoorError('sso.saml.signature_invalid', 'The SAML message signature is not valid.', { check: 'signature' });
  return parseUntrustedXml(verified);
}

export { escapeXml };
