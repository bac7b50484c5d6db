import { SAML, SamlStatusError, ValidateInResponseTo } from '@node-saml/node-saml';
import { FrontdoorError, type ErrorCode } from '../../core/errors.ts';

// The ACS's signatures and signed assertion are decided by @node-saml/node-saml (exactly
// pinned, package.json) through its public API: SAML#validatePostResponseAsync. It verifies
// the Response and assertion signatures with xml-crypto against the configured certificates
// only, applies wantAssertionsSigned / wantAuthnResponseSigned, decrypts an EncryptedAssertion,
// and hands back the assertion read from the signed bytes (5.1.0, CVE-2025-54369), which is
// all acs.ts reads afterwards. Two of its checks are switched off because ours are stricter
// and come after it: times (acceptedClockSkewMs -1: ours run on the clock we are given, with
// the app's tolerance) and InResponseTo (never: ours is bound to the app, in the database,
// used once). Its audience check stays on, next to ours.

export type NodeSamlVerification = {
  /** The assertion as node-saml read it from signed (and decrypted) content. */
  assertionXml: string;
};

/**
 * Verifies a SAML Response (already well-formed and pre-checked by acs.ts) with node-saml.
 * `xml` is the decoded document text; node-saml receives it as the base64 of its UTF-8 bytes
 * (it decodes base64 as UTF-8 whatever the declaration says).
 */
export async function verifyResponseWithNodeSaml(input: {
  xml: string;
  acsUrl: string;
  spEntityId: string;
  idpEntityId: string;
  certificates: string[];
  wantAssertionsSigned: boolean;
  wantResponseSigned: boolean;
  decryptionPem: string | undefined;
}): Promise<NodeSamlVerification> {
  const saml = new SAML({
    callbackUrl: input.acsUrl,
    issuer: input.spEntityId,
    audience: input.spEntityId,
    idpIssuer: input.idpEntityId,
    idpCert: input.certificates,
    wantAssertionsSigned: input.wantAssertionsSigned,
    wantAuthnResponseSigned: input.wantResponseSigned,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
    ...(input.decryptionPem ? { decryptionPvk: input.decryptionPem } : {}),
  });
  let result: Awaited<ReturnType<SAML['validatePostResponseAsync']>>;
  try {
    result = await saml.validatePostResponseAsync({ SAMLResponse: Buffer.from(input.xml.replace(/^\uFEFF/, ''), 'utf8').toString('base64') });
  } catch (error) {
    throw libraryRefusal(error);
  }
  const assertionXml = result.profile?.getAssertionXml?.();
  // A null profile is a signed NoPassive answer; a LogoutResponse is not what an ACS takes.
  if (!assertionXml) throw new FrontdoorError('sso.saml.status_error', 'The identity service did not sign you in.', { check: 'status', detail: result.loggedOut ? 'a LogoutResponse' : 'no profile' });
  return { assertionXml };
}

// node-saml 5.1's refusals (messages of the Errors it throws, from lib/saml.js and lib/xml.js,
// and xml-crypto 6.3's), mapped to our codes: the one place that knows them. A message not
// listed is a signature refusal (fail closed), its text kept in the trace.
const LIBRARY_REFUSALS: { match: RegExp; code: ErrorCode; check: string }[] = [
  { match: /multiple assertions|Missing SAML assertion|Invalid EncryptedAssertion content/, code: 'sso.saml.structure_invalid', check: 'one_assertion' },
  { match: /multiple conditions/, code: 'sso.saml.message_invalid', check: 'conditions' },
  { match: /audience|AudienceRestriction/i, code: 'sso.saml.audience_invalid', check: 'audience' },
  { match: /Unknown SAML issuer/, code: 'sso.saml.issuer_invalid', check: 'assertion_issuer' },
  { match: /Error parsing NotOnOrAfter/, code: 'sso.saml.time_invalid', check: 'not_on_or_after' },
  { match: /Error parsing (IssueInstant|NotBefore)/, code: 'sso.saml.message_invalid', check: 'issue_instant' },
  { match: /decrypt|decryption key/i, code: 'sso.saml.decryption_failed', check: 'decrypt' },
  { match: /Cannot obtain assertion from signed data/, code: 'sso.saml.signature_invalid', check: 'signed_content' },
  { match: /not a valid XML document|xmldom/i, code: 'sso.saml.message_invalid', check: 'xml_parse' },
  { match: /Missing SAML (NameID|issuer|LogoutRequest ID)|Unknown SAML (request|response) message|multiple ID elements|no EncryptedData|Invalid EncryptedData/, code: 'sso.saml.message_invalid', check: 'library_shape' },
  { match: /SAML assertion expired|SAML assertion not yet valid/, code: 'sso.saml.time_invalid', check: 'library_time' },
  { match: /InResponseTo/, code: 'sso.saml.in_response_to_invalid', check: 'in_response_to' },
  { match: /Bad status code/, code: 'sso.saml.status_error', check: 'status' },
  { match: / is not supported$/, code: 'sso.saml.algorithm_forbidden', check: 'algorithm' },
];

/** Refusals node-saml makes only after a signature verified, about the assertion's shape. */
export function isShapeRefusal(error: unknown): boolean {
  return error instanceof FrontdoorError && ['conditions', 'audience', 'not_on_or_after', 'issue_instant'].includes(String(error.failedCheck));
}

/** A node-saml (or xml-crypto, xml-encryption) error as our refusal. */
export function libraryRefusal(error: unknown): FrontdoorError {
  if (error instanceof FrontdoorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SamlStatusError) {
    return new FrontdoorError('sso.saml.status_error', 'The identity service did not sign you in.', { check: 'status', detail: message.slice(0, 300) });
  }
  const known = LIBRARY_REFUSALS.find((refusal) => refusal.match.test(message));
  if (known) return new FrontdoorError(known.code, messages[known.code] ?? 'The SAML message was refused.', { check: known.check, detail: message.slice(0, 300) });
  return new FrontdoorError('sso.saml.signature_invalid', 'The sign-in answer does not carry a valid signature of the identity service.', { check: 'signature', detail: message.slice(0, 300) });
}

const messages: Partial<Record<ErrorCode, string>> = {
  'sso.saml.structure_invalid': 'The SAML Response must contain exactly one assertion, directly inside it.',
  'sso.saml.message_invalid': 'The SAML message is not a valid SAML Response.',
  'sso.saml.audience_invalid': 'The assertion was issued for another service.',
  'sso.saml.issuer_invalid': 'The assertion comes from another identity service.',
  'sso.saml.time_invalid': 'The SAML message is not valid at this time, or does not say when it ends.',
  'sso.saml.in_response_to_invalid': 'This answer does not belong to a request made here.',
  'sso.saml.status_error': 'The identity service reported an error.',
  'sso.saml.algorithm_forbidden': 'The SAML message uses an algorithm that is not allowed.',
  'sso.saml.decryption_failed': 'The encrypted assertion cannot be decrypted with our keys.',
  'sso.saml.signature_invalid': 'The sign-in answer does not carry a valid signature of the identity service.',
};

/**
 * Single logout messages, checked by node-saml's public API after our own checks (bindings.ts:
 * a signature is required, the SigAlg allowlisted, no parameter twice, the inflated size bounded,
 * the document well-formed, and for POST the enveloped signature verified by xml-crypto and only
 * its signed bytes read): HTTP-Redirect with SAML#validateRedirectAsync (the query signature,
 * SAML Bindings 3.4.4.1), HTTP-POST with validatePostRequestAsync / validatePostResponseAsync.
 * Times and InResponseTo are ours (logout.ts, the route), as for the ACS. A LogoutResponse that
 * reports a failure is not given to node-saml, which refuses any such status before it looks
 * at the signature: its signature was verified by our check alone, and all it can do is say on
 * the page that the identity service kept its own session.
 */
export async function verifyLogoutWithNodeSaml(input: {
  binding: 'redirect' | 'post';
  kind: 'SAMLRequest' | 'SAMLResponse';
  /** The raw query string (redirect) or the decoded document (POST). */
  rawQuery?: string;
  xml?: string;
  doc: Document;
  certificates: string[];
  idpEntityId: string;
  spEntityId: string;
  sloUrl: string;
}): Promise<void> {
  const root = input.doc.documentElement;
  if (input.kind === 'SAMLResponse' && !logoutSucceeded(root)) return;
  const saml = new SAML({
    callbackUrl: input.sloUrl, issuer: input.spEntityId, idpCert: input.certificates, idpIssuer: input.idpEntityId,
    acceptedClockSkewMs: -1, validateInResponseTo: ValidateInResponseTo.never,
    wantAuthnResponseSigned: true,
  });
  try {
    if (input.binding === 'redirect') {
      const container: Record<string, string> = {};
      for (const part of (input.rawQuery ?? '').split('&')) {
        const index = part.indexOf('=');
        if (index > 0) container[part.slice(0, index)] = decodeURIComponent(part.slice(index + 1).replace(/\+/g, ' '));
      }
      await saml.validateRedirectAsync(container, input.rawQuery ?? '');
    } else {
      const encoded = Buffer.from((input.xml ?? '').replace(/^\uFEFF/, ''), 'utf8').toString('base64');
      const result = input.kind === 'SAMLRequest' ? await saml.validatePostRequestAsync({ SAMLRequest: encoded }) : await saml.validatePostResponseAsync({ SAMLResponse: encoded });
      if (input.kind === 'SAMLResponse' && !result.loggedOut) throw new Error('Invalid signature: not a LogoutResponse');
    }
  } catch (error) {
    const refusal = libraryRefusal(error);
    // node-saml's logout errors name the same things as its sign-in ones; a logout message that
    // is refused for its shape is a logout_invalid, its signature and issuer keep their codes.
    if (['sso.saml.signature_invalid', 'sso.saml.issuer_invalid'].includes(refusal.code)) throw refusal;
    throw new FrontdoorError('sso.saml.logout_invalid', 'The logout message was refused.', { check: 'library', detail: refusal.internalDetail ?? '' });
  }
}

function logoutSucceeded(root: Element): boolean {
  for (let node = root.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).localName === 'Status') {
      for (let code = node.firstChild; code; code = code.nextSibling) {
        if (code.nodeType === 1 && (code as Element).localName === 'StatusCode') return (code as Element).getAttribute('Value') === 'urn:oasis:names:tc:SAML:2.0:status:Success';
      }
    }
  }
  return false;
}
