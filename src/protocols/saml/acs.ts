import xmlenc from 'xml-encryption';
import { promisify } from 'node:util';
import { SamlStatusError } from '@node-saml/node-saml';
import { getVerifiedXml } from '@node-saml/node-saml/lib/xml.js';
import { FrontdoorError, isFrontdoorError } from '../../core/errors.ts';
import { checkSignatureAlgorithms } from './algorithms.ts';
import { samlClient } from './client.ts';
import type { IdpDescriptor } from './idp-metadata.ts';
import type { SamlAppConfig, SpDescriptor, SpKeys } from './settings.ts';
import { NS, allElements, child, children, elements, hasComment, parseUntrustedXml, textOnly } from './xml.ts';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
// Only RSA-OAEP key transport and AES content encryption: RSA PKCS#1 v1.5 key transport
// (Bleichenbacher oracles) and 3DES are refused by xml-encryption with this flag.
const decrypt = promisify(xmlenc.decrypt) as (xml: string, options: { key: string; disallowDecryptionWithInsecureAlgorithm: boolean; warnInsecureAlgorithm: boolean }) => Promise<string>;

/** What a verified assertion says. Everything here was read from signed (and decrypted) content. */
export type VerifiedAssertion = {
  assertionId: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  sessionIndex: string | undefined;
  /** From the signed SubjectConfirmationData; undefined for an unsolicited response. */
  inResponseTo: string | undefined;
  /** Until when the assertion could be presented: how long its id must stay in the replay cache. */
  validUntil: Date;
  attributes: Record<string, string[]>;
  issueInstant: string;
  clockSkewMs: number;
  encrypted: boolean;
};

const fail = (code: ConstructorParameters<typeof FrontdoorError>[0], message: string, check: string, detail?: string): never => {
  throw new FrontdoorError(code, message, { check, ...(detail ? { detail } : {}) });
};

/** Strict base64 (the HTTP-POST binding's encoding) to UTF-8 text. */
export function decodeBase64Message(value: unknown, maxBytes: number): string {
  if (typeof value !== 'string' || value.length === 0) fail('sso.saml.message_invalid', 'No SAML message in the request.', 'message_present');
  const compact = (value as string).replace(/[\r\n\t ]/g, '');
  if (compact.length > Math.ceil((maxBytes * 4) / 3) + 4) fail('sso.saml.too_large', 'The SAML message is too large.', 'size');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) fail('sso.saml.message_invalid', 'The SAML message is not valid base64.', 'base64');
  return Buffer.from(compact, 'base64').toString('utf8');
}

/**
 * Validates a SAML Response posted to our ACS (SAML 2.0 Core 3.2.2, Profiles 4.1.4.3,
 * Bindings 3.5.5.2), as a list of named checks. Refusals are FrontdoorErrors whose
 * `details.check` names the check; nothing here writes anything.
 */
export async function consumeSamlResponse(input: {
  samlResponse: unknown;
  config: SamlAppConfig;
  idp: IdpDescriptor;
  sp: SpDescriptor;
  keys: SpKeys;
  now: Date;
}): Promise<VerifiedAssertion> {
  const { config, idp, sp, keys, now } = input;
  const toleranceMs = config.clockToleranceSeconds * 1000;
  const xml = decodeBase64Message(input.samlResponse, 256 * 1024);
  const doc = parseUntrustedXml(xml);
  const response = doc.documentElement;
  if (response.namespaceURI !== NS.protocol || response.localName !== 'Response') {
    fail('sso.saml.message_invalid', 'The message is not a SAML Response.', 'response_root', `${response.namespaceURI} ${response.localName}`);
  }
  if (response.getAttribute('Version') !== '2.0') fail('sso.saml.message_invalid', 'The SAML Response is not SAML 2.0.', 'version');

  // Signature wrapping needs a second element with the signed one's ID, or a second
  // assertion hidden somewhere a careless reader finds first: refuse both outright.
  const ids = new Set<string>();
  for (const element of allElements(doc)) {
    for (const name of ['ID', 'Id', 'id']) {
      const id = element.getAttribute(name);
      if (!id) continue;
      if (ids.has(id)) fail('sso.saml.structure_invalid', 'The SAML Response contains duplicate IDs.', 'duplicate_id', id);
      ids.add(id);
    }
  }
  const assertionsAnywhere = elements(doc, NS.assertion, 'Assertion');
  const encryptedAnywhere = elements(doc, NS.assertion, 'EncryptedAssertion');
  const directAssertions = children(response, NS.assertion, 'Assertion');
  const directEncrypted = children(response, NS.assertion, 'EncryptedAssertion');

  // Status before anything else: an error answer is refused whatever it carries (a signed
  // error response with a forged assertion next to it included).
  const statusCode = child(child(response, NS.protocol, 'Status') ?? response, NS.protocol, 'StatusCode')?.getAttribute('Value');
  if (statusCode !== SUCCESS) {
    const inner = child(child(child(response, NS.protocol, 'Status') ?? response, NS.protocol, 'StatusCode') ?? response, NS.protocol, 'StatusCode')?.getAttribute('Value');
    fail('sso.saml.status_error', 'The identity service did not sign you in.', 'status', [statusCode, inner].filter(Boolean).join(' / ') || 'no status');
  }
  if (assertionsAnywhere.length + encryptedAnywhere.length !== 1 || directAssertions.length + directEncrypted.length !== 1) {
    fail('sso.saml.structure_invalid', 'The SAML Response must contain exactly one assertion, directly inside it.', 'one_assertion',
      `${assertionsAnywhere.length} assertions, ${encryptedAnywhere.length} encrypted`);
  }
  checkSignatureAlgorithms(doc, config.allowSha1);

  const destination = response.getAttribute('Destination');
  if (destination && destination !== sp.acsUrl) fail('sso.saml.destination_invalid', 'The SAML Response was sent to another address.', 'destination', destination);
  const responseIssuer = child(response, NS.assertion, 'Issuer');
  if (responseIssuer && textOnly(responseIssuer)?.trim() !== idp.entityId) {
    fail('sso.saml.issuer_invalid', 'The SAML Response comes from another identity service.', 'issuer', textOnly(responseIssuer) ?? '(unreadable)');
  }

  // Encrypted assertions: decrypt with our keys (current, next and previous during a
  // rotation), then hold the plaintext to the same checks as a clear one.
  let decryptionKey: string | undefined;
  let assertionForChecks: Element = directAssertions[0]!;
  const encrypted = directEncrypted.length === 1;
  if (encrypted) {
    let plaintext: string | undefined;
    let lastError: unknown;
    for (const key of keys.decryption) {
      try {
        plaintext = await decrypt(directEncrypted[0]!.toString(), { key, disallowDecryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false });
        decryptionKey = key;
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (plaintext === undefined) fail('sso.saml.decryption_failed', 'The encrypted assertion cannot be decrypted with our keys.', 'decrypt', (lastError as Error)?.message);
    const decrypted = parseUntrustedXml(plaintext!);
    const root = decrypted.documentElement;
    if (root.namespaceURI !== NS.assertion || root.localName !== 'Assertion' || elements(decrypted, NS.assertion, 'Assertion').length !== 1) {
      fail('sso.saml.structure_invalid', 'The encrypted assertion does not hold exactly one assertion.', 'one_assertion');
    }
    for (const element of allElements(decrypted)) {
      const id = element.getAttribute('ID');
      if (id && ids.has(id)) fail('sso.saml.structure_invalid', 'The SAML Response contains duplicate IDs.', 'duplicate_id', id);
    }
    checkSignatureAlgorithms(decrypted, config.allowSha1);
    assertionForChecks = root;
  } else if (config.requireEncryptedAssertions) {
    fail('sso.saml.encryption_required', 'This sign-in method accepts only encrypted assertions.', 'encrypted');
  }
  // Comments inside the subject are how NameID truncation attacks look (canonicalization
  // drops them from the signed bytes, naive readers stop at them).
  const rawSubject = child(assertionForChecks, NS.assertion, 'Subject');
  if (rawSubject && hasComment(rawSubject)) fail('sso.saml.subject_invalid', 'The assertion subject contains comments.', 'name_id_text');

  // Cryptographic verification by node-saml, against the configured certificates only.
  // Everything after this reads the bytes the signature covers, never the raw document.
  let verifiedXml: string;
  try {
    const client = samlClient(config, idp, sp, undefined, decryptionKey ? { decryptionKey } : {});
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml, 'utf8').toString('base64') });
    if (!profile?.getAssertionXml) fail('sso.saml.signature_invalid', 'The SAML Response has no signed assertion.', 'signature');
    verifiedXml = profile!.getAssertionXml!();
  } catch (error) {
    if (isFrontdoorError(error)) throw error;
    throw nodeSamlError(error);
  }

  const assertion = parseUntrustedXml(verifiedXml).documentElement;
  if (assertion.localName !== 'Assertion' || assertion.namespaceURI !== NS.assertion) {
    fail('sso.saml.signature_invalid', 'The signed content is not an assertion.', 'signed_content');
  }
  const issuer = textOnly(child(assertion, NS.assertion, 'Issuer') ?? assertion)?.trim();
  if (issuer !== idp.entityId) fail('sso.saml.issuer_invalid', 'The assertion comes from another identity service.', 'assertion_issuer', issuer ?? '(none)');
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) fail('sso.saml.message_invalid', 'The assertion has no ID.', 'assertion_id');
  const issueInstant = assertion.getAttribute('IssueInstant') ?? '';
  const issuedAt = Date.parse(issueInstant);
  if (Number.isNaN(issuedAt)) fail('sso.saml.message_invalid', 'The assertion has no valid IssueInstant.', 'issue_instant');
  const clockSkewMs = now.getTime() - issuedAt;
  if (issuedAt > now.getTime() + toleranceMs) fail('sso.saml.time_invalid', 'The assertion was issued in the future.', 'issue_instant', issueInstant);

  // Subject: the NameID, and a bearer confirmation for our ACS, in time.
  const subject = child(assertion, NS.assertion, 'Subject');
  const nameIdElement = subject && child(subject, NS.assertion, 'NameID');
  const nameId = nameIdElement ? textOnly(nameIdElement)?.trim() : undefined;
  if (!nameId) fail('sso.saml.subject_invalid', 'The assertion names nobody (no NameID).', 'name_id');
  if (nameId!.length > 1000) fail('sso.saml.subject_invalid', 'The NameID is too long.', 'name_id');
  const confirmations = (subject ? children(subject, NS.assertion, 'SubjectConfirmation') : []).filter((c) => c.getAttribute('Method') === BEARER);
  const data = confirmations.map((c) => child(c, NS.assertion, 'SubjectConfirmationData')).filter((d): d is Element => Boolean(d));
  if (data.length === 0) fail('sso.saml.subject_invalid', 'The assertion has no bearer subject confirmation.', 'subject_confirmation');
  const forUs = data.filter((d) => d.getAttribute('Recipient') === sp.acsUrl);
  if (forUs.length === 0) fail('sso.saml.recipient_invalid', 'The assertion was issued for another address.', 'recipient', data[0]!.getAttribute('Recipient') ?? '(none)');
  const confirmation = forUs[0]!;
  const confirmationNotOnOrAfter = Date.parse(confirmation.getAttribute('NotOnOrAfter') ?? '');
  if (Number.isNaN(confirmationNotOnOrAfter)) fail('sso.saml.time_invalid', 'The subject confirmation has no NotOnOrAfter.', 'subject_not_on_or_after');
  if (now.getTime() - toleranceMs >= confirmationNotOnOrAfter) {
    fail('sso.saml.time_invalid', 'The sign-in answer has expired.', 'subject_not_on_or_after', confirmation.getAttribute('NotOnOrAfter')!);
  }
  const confirmationNotBefore = confirmation.getAttribute('NotBefore');
  if (confirmationNotBefore && now.getTime() + toleranceMs < Date.parse(confirmationNotBefore)) {
    fail('sso.saml.time_invalid', 'The sign-in answer is not valid yet.', 'subject_not_before', confirmationNotBefore);
  }
  // InResponseTo is read from signed content only: the assertion's confirmation, or else the
  // response's when the response itself carries a valid signature. An unsigned Response
  // attribute could otherwise turn an unsolicited assertion into an answer to someone's request.
  const assertionInResponseTo = confirmation.getAttribute('InResponseTo') || undefined;
  const responseInResponseTo = response.getAttribute('InResponseTo') || undefined;
  if (assertionInResponseTo && responseInResponseTo && responseInResponseTo !== assertionInResponseTo) {
    fail('sso.saml.in_response_to_invalid', 'The response and its assertion answer different requests.', 'in_response_to', `${responseInResponseTo} / ${assertionInResponseTo}`);
  }
  let inResponseTo = assertionInResponseTo;
  if (!inResponseTo && responseInResponseTo) {
    let responseSigned = false;
    try {
      responseSigned = getVerifiedXml(xml, doc.documentElement, idp.signingCertificates) !== null;
    } catch {
      responseSigned = false;
    }
    if (!responseSigned) {
      fail('sso.saml.in_response_to_invalid', 'The request this answers is not named in signed content.', 'in_response_to_signed', responseInResponseTo);
    }
    inResponseTo = responseInResponseTo;
  }

  // Conditions: time window and audience.
  const conditionsList = children(assertion, NS.assertion, 'Conditions');
  if (conditionsList.length !== 1) fail('sso.saml.message_invalid', 'The assertion must have exactly one Conditions element.', 'conditions');
  const conditions = conditionsList[0]!;
  const notBefore = conditions.getAttribute('NotBefore');
  const notOnOrAfter = conditions.getAttribute('NotOnOrAfter');
  if (notBefore && now.getTime() + toleranceMs < Date.parse(notBefore)) fail('sso.saml.time_invalid', 'The sign-in answer is not valid yet.', 'not_before', notBefore);
  if (notOnOrAfter && now.getTime() - toleranceMs >= Date.parse(notOnOrAfter)) fail('sso.saml.time_invalid', 'The sign-in answer has expired.', 'not_on_or_after', notOnOrAfter);
  const restrictions = children(conditions, NS.assertion, 'AudienceRestriction');
  if (restrictions.length === 0) fail('sso.saml.audience_invalid', 'The assertion is not restricted to an audience.', 'audience');
  for (const restriction of restrictions) {
    // Every restriction must include us (Core 2.5.1.4: all of them apply).
    const audiences = children(restriction, NS.assertion, 'Audience').map((a) => textOnly(a)?.trim());
    if (!audiences.includes(sp.entityId)) fail('sso.saml.audience_invalid', 'The assertion was issued for another service.', 'audience', audiences.join(', '));
  }

  const authn = child(assertion, NS.assertion, 'AuthnStatement');
  const sessionNotOnOrAfter = authn?.getAttribute('SessionNotOnOrAfter');
  if (sessionNotOnOrAfter && now.getTime() - toleranceMs >= Date.parse(sessionNotOnOrAfter)) {
    fail('sso.saml.time_invalid', 'The identity service session has ended.', 'session_not_on_or_after', sessionNotOnOrAfter);
  }
  const attributes: Record<string, string[]> = {};
  for (const statement of children(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attribute of children(statement, NS.assertion, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name || name === '__proto__') continue;
      const values = children(attribute, NS.assertion, 'AttributeValue').map(textOnly).filter((v): v is string => v !== undefined);
      attributes[name] = [...(attributes[name] ?? []), ...values];
    }
  }
  const ends = [confirmationNotOnOrAfter, notOnOrAfter ? Date.parse(notOnOrAfter) : Infinity].filter(Number.isFinite);
  return {
    assertionId: assertionId!,
    issuer: issuer!,
    nameId: nameId!,
    nameIdFormat: nameIdElement!.getAttribute('Format') || undefined,
    sessionIndex: authn?.getAttribute('SessionIndex') || undefined,
    inResponseTo,
    validUntil: new Date(Math.min(...ends) + toleranceMs),
    attributes,
    issueInstant,
    clockSkewMs,
    encrypted,
  };
}

function nodeSamlError(error: unknown): FrontdoorError {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof SamlStatusError) return new FrontdoorError('sso.saml.status_error', 'The identity service did not sign you in.', { check: 'status', detail: message });
  if (/audience/i.test(message)) return new FrontdoorError('sso.saml.audience_invalid', 'The assertion was issued for another service.', { check: 'audience', detail: message });
  if (/decrypt/i.test(message)) return new FrontdoorError('sso.saml.decryption_failed', 'The encrypted assertion cannot be decrypted.', { check: 'decrypt', detail: message });
  if (/issuer/i.test(message)) return new FrontdoorError('sso.saml.issuer_invalid', 'The SAML Response comes from another identity service.', { check: 'issuer', detail: message });
  if (/multiple assertions|Missing SAML assertion|more than one element/i.test(message)) {
    return new FrontdoorError('sso.saml.structure_invalid', 'The SAML Response must contain exactly one assertion.', { check: 'one_assertion', detail: message });
  }
  // Everything else node-saml refuses is about the signature (missing, invalid, wrong key,
  // wrong reference, too many transforms): one code, with node-saml's words in the trace.
  return new FrontdoorError('sso.saml.signature_invalid', 'The sign-in answer does not carry a valid signature of the identity service.', {
    check: 'signature', detail: message,
  });
}
