import xmlenc from 'xml-encryption';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { FrontdoorError } from '../../core/errors.ts';
import { ImportedKeys } from '../../core/imported-keys.ts';
import { checkSignatureAlgorithms } from './algorithms.ts';
import type { IdpDescriptor } from './idp-metadata.ts';
import type { SamlAppConfig, SpDescriptor, SpKeys } from './settings.ts';
import { signedBytesOf } from './signature.ts';
import { isShapeRefusal, verifyResponseWithNodeSaml } from './verifier.ts';
import { NS, allElements, child, childElements, children, decodeXmlBytes, elements, hasComment, parseUntrustedXml, textOnly } from './xml.ts';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
// Only RSA-OAEP key transport and AES content encryption: RSA PKCS#1 v1.5 key transport
// (Bleichenbacher oracles) and 3DES are refused by xml-encryption with this flag.
const decrypt = promisify(xmlenc.decrypt) as unknown as (xml: string, options: { key: KeyObject; disallowDecryptionWithInsecureAlgorithm: boolean; warnInsecureAlgorithm: boolean }) => Promise<string>;

// Our private keys, imported once (node:crypto would parse the PEM again for every decryption,
// which doubles its cost).
const decryptionKeys = new ImportedKeys<KeyObject>(64);
const decryptionKeyOf = (pem: string): KeyObject => decryptionKeys.get(pem, () => createPrivateKey(pem));

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

/** Strict base64 (the HTTP-POST binding's encoding) to text, in the document's own encoding (decodeXmlBytes). */
export function decodeBase64Message(value: unknown, maxBytes: number): string {
  if (typeof value !== 'string' || value.length === 0) fail('sso.saml.message_invalid', 'No SAML message in the request.', 'message_present');
  const compact = (value as string).replace(/[\r\n\t ]/g, '');
  if (compact.length > Math.ceil((maxBytes * 4) / 3) + 4) fail('sso.saml.too_large', 'The SAML message is too large.', 'size');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) fail('sso.saml.message_invalid', 'The SAML message is not valid base64.', 'base64');
  return decodeXmlBytes(Buffer.from(compact, 'base64'));
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
  // One pass over the elements the parse walked (xml.ts): IDs (an attribute named ID, Id or id;
  // an element has each name once, the parse refused it otherwise) and assertions anywhere.
  const ids = new Set<string>();
  let assertionsAnywhere = 0;
  let encryptedAnywhere = 0;
  for (const element of allElements(doc)) {
    const attributes = element.attributes;
    for (let i = 0; i < attributes.length; i++) {
      const { name, value: id } = attributes[i]!;
      if ((name !== 'ID' && name !== 'Id' && name !== 'id') || !id) continue;
      if (ids.has(id)) fail('sso.saml.structure_invalid', 'The SAML Response contains duplicate IDs.', 'duplicate_id', id);
      ids.add(id);
    }
    if (element.namespaceURI === NS.assertion) {
      if (element.localName === 'Assertion') assertionsAnywhere += 1;
      else if (element.localName === 'EncryptedAssertion') encryptedAnywhere += 1;
    }
  }
  const directAssertions = children(response, NS.assertion, 'Assertion');
  const directEncrypted = children(response, NS.assertion, 'EncryptedAssertion');

  // Status before anything else: an error answer is refused whatever it carries (a signed
  // error response with a forged assertion next to it included).
  const statusCode = child(child(response, NS.protocol, 'Status') ?? response, NS.protocol, 'StatusCode')?.getAttribute('Value');
  if (statusCode !== SUCCESS) {
    const inner = child(child(child(response, NS.protocol, 'Status') ?? response, NS.protocol, 'StatusCode') ?? response, NS.protocol, 'StatusCode')?.getAttribute('Value');
    fail('sso.saml.status_error', 'The identity service did not sign you in.', 'status', [statusCode, inner].filter(Boolean).join(' / ') || 'no status');
  }
  // Direct children are also counted in any namespace, as node-saml did ("multiple assertions").
  const directAnyNamespace = childElements(response, 'Assertion').length + childElements(response, 'EncryptedAssertion').length;
  if (assertionsAnywhere + encryptedAnywhere !== 1 || directAssertions.length + directEncrypted.length !== 1 || directAnyNamespace !== 1) {
    fail('sso.saml.structure_invalid', 'The SAML Response must contain exactly one assertion, directly inside it.', 'one_assertion',
      `${assertionsAnywhere} assertions, ${encryptedAnywhere} encrypted`);
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
  let decryptionPem: string | undefined;
  let assertionForChecks: Element = directAssertions[0]!;
  const encrypted = directEncrypted.length === 1;
  if (encrypted) {
    let plaintext: string | undefined;
    let lastError: unknown;
    for (const pem of keys.decryption) {
      try {
        const key = decryptionKeyOf(pem);
        plaintext = await decrypt(directEncrypted[0]!.toString(), { key, disallowDecryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false });
        decryptionPem = pem;
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

  // Cryptographic verification: node-saml decides (verifier.ts), against the configured
  // certificates only: a signature on the Response is checked for shape whenever present (a
  // malformed one is refused) and must verify with wantResponseSigned; the assertion (the
  // decrypted one, for an EncryptedAssertion) must carry a valid signature with
  // wantAssertionsSigned or when the Response's does not verify. Everything after this reads
  // the assertion node-saml read from the signed bytes, never the posted document: an element
  // that merely looks signed, or a part the canonical form leaves out, cannot be read.
  let verification: Awaited<ReturnType<typeof verifyResponseWithNodeSaml>>;
  try {
    verification = await verifyResponseWithNodeSaml({
      xml, acsUrl: sp.acsUrl, spEntityId: sp.entityId, idpEntityId: idp.entityId, certificates: idp.signingCertificates,
      wantAssertionsSigned: config.wantAssertionsSigned, wantResponseSigned: config.wantResponseSigned, decryptionPem,
    });
  } catch (error) {
    // node-saml refuses the shape of an assertion whose signature it verified with one message
    // for several causes (a missing subject or conditions NotOnOrAfter are both "Error parsing
    // NotOnOrAfter"): the same rules, ours, name the precise one.
    if (isShapeRefusal(error)) checkAssertionShape(assertionForChecks, sp.entityId);
    throw error;
  }
  const assertion = parseUntrustedXml(verification.assertionXml).documentElement;
  if (assertion.localName !== 'Assertion' || assertion.namespaceURI !== NS.assertion) {
    fail('sso.saml.signature_invalid', 'The signed content is not an assertion.', 'signed_content');
  }
  // The assertion checked above (structure, comments in the subject) is the one node-saml verified.
  if (assertion.getAttribute('ID') !== assertionForChecks.getAttribute('ID')) {
    fail('sso.saml.signature_invalid', 'The signed content is not the assertion that was checked.', 'signed_content');
  }
  // The Response's own signed bytes, only to read its InResponseTo when the assertion names
  // none (node-saml reads that attribute from the unsigned document): xml-crypto's public API.
  let signedResponse: Element | null | undefined;
  const verifiedResponse = (): Element | undefined => {
    if (signedResponse === undefined) {
      const bytes = signedBytesOf(xml, response, idp.signingCertificates);
      signedResponse = bytes ? parseUntrustedXml(bytes).documentElement : null;
    }
    return signedResponse ?? undefined;
  };

  const conditions = checkAssertionShape(assertion, sp.entityId);

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
    inResponseTo = verifiedResponse()?.getAttribute('InResponseTo') || undefined;
    if (inResponseTo !== responseInResponseTo) {
      fail('sso.saml.in_response_to_invalid', 'The request this answers is not named in signed content.', 'in_response_to_signed', responseInResponseTo);
    }
  }

  // Conditions: time window (the audience was checked above).
  const notBefore = conditions.getAttribute('NotBefore');
  const notOnOrAfter = conditions.getAttribute('NotOnOrAfter');
  if (notBefore && now.getTime() + toleranceMs < Date.parse(notBefore)) fail('sso.saml.time_invalid', 'The sign-in answer is not valid yet.', 'not_before', notBefore);
  if (notOnOrAfter && now.getTime() - toleranceMs >= Date.parse(notOnOrAfter)) fail('sso.saml.time_invalid', 'The sign-in answer has expired.', 'not_on_or_after', notOnOrAfter);

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

/**
 * The shape node-saml requires of an assertion (element names in any namespace, as it reads
 * them), checked by us before node-saml on the assertion we were sent, so that each refusal
 * has its precise code, and again after it on the signed assertion: the first subject
 * confirmation with data, and a Conditions element with attributes, have a valid NotOnOrAfter;
 * one Conditions; every AudienceRestriction (SAML Core 2.5.1.4: all of them apply) names our
 * entity ID exactly (untrimmed) in a SAML Audience, and its first Audience is not empty.
 * Returns the Conditions element.
 */
function checkAssertionShape(assertion: Element, spEntityId: string): Element {
  const firstSubject = childElements(assertion, 'Subject')[0];
  const firstConfirmationData = (firstSubject ? childElements(firstSubject, 'SubjectConfirmation') : [])
    .map((c) => childElements(c, 'SubjectConfirmationData')[0])
    .find((d) => d && d.attributes.length > 0);
  if (firstConfirmationData && Number.isNaN(Date.parse(firstConfirmationData.getAttribute('NotOnOrAfter') ?? ''))) {
    fail('sso.saml.time_invalid', 'The subject confirmation has no valid NotOnOrAfter.', 'subject_not_on_or_after', firstConfirmationData.getAttribute('NotOnOrAfter') ?? '(none)');
  }
  const conditionsList = childElements(assertion, 'Conditions');
  if (conditionsList.length !== 1 || conditionsList[0]!.namespaceURI !== NS.assertion) {
    fail('sso.saml.message_invalid', 'The assertion must have exactly one Conditions element.', 'conditions');
  }
  const conditions = conditionsList[0]!;
  if (conditions.attributes.length > 0 && Number.isNaN(Date.parse(conditions.getAttribute('NotOnOrAfter') ?? ''))) {
    fail('sso.saml.time_invalid', 'The assertion conditions have no valid NotOnOrAfter.', 'not_on_or_after', conditions.getAttribute('NotOnOrAfter') ?? '(none)');
  }
  const restrictions = childElements(conditions, 'AudienceRestriction');
  if (restrictions.length === 0) fail('sso.saml.audience_invalid', 'The assertion is not restricted to an audience.', 'audience');
  for (const restriction of restrictions) {
    const audiences = children(restriction, NS.assertion, 'Audience').map((a) => textOnly(a));
    const firstAudience = childElements(restriction, 'Audience')[0];
    if (!firstAudience || !textOnly(firstAudience)?.trim() || !audiences.includes(spEntityId)) {
      fail('sso.saml.audience_invalid', 'The assertion was issued for another service.', 'audience', audiences.join(', '));
    }
  }
  if (Number.isNaN(Date.parse(assertion.getAttribute('IssueInstant') ?? ''))) fail('sso.saml.message_invalid', 'The assertion has no valid IssueInstant.', 'issue_instant');
  return conditions;
}
