import { randomBytes } from 'node:crypto';
import { FrontdoorError } from '../../core/errors.ts';
import type { IdpDescriptor } from './idp-metadata.ts';
import type { SpDescriptor } from './settings.ts';
import { NS, child, children, escapeXml, textOnly } from './xml.ts';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export function newSamlId(): string {
  // Must start with a letter or underscore (xs:ID).
  return `_${randomBytes(20).toString('hex')}`;
}

/** What a session keeps to ask the identity service to end its session (sealed at rest). */
export type SamlSessionRef = { nameId: string; nameIdFormat?: string | undefined; sessionIndex?: string | undefined };

export function logoutRequestXml(input: { id: string; sp: SpDescriptor; destination: string; ref: SamlSessionRef; now: Date }): string {
  const format = input.ref.nameIdFormat ? ` Format="${escapeXml(input.ref.nameIdFormat)}"` : '';
  return (
    `<samlp:LogoutRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${input.id}" Version="2.0"` +
    ` IssueInstant="${input.now.toISOString()}" Destination="${escapeXml(input.destination)}"` +
    ` NotOnOrAfter="${new Date(input.now.getTime() + 5 * 60_000).toISOString()}">` +
    `<saml:Issuer>${escapeXml(input.sp.entityId)}</saml:Issuer>` +
    `<saml:NameID${format}>${escapeXml(input.ref.nameId)}</saml:NameID>` +
    (input.ref.sessionIndex ? `<samlp:SessionIndex>${escapeXml(input.ref.sessionIndex)}</samlp:SessionIndex>` : '') +
    `</samlp:LogoutRequest>`
  );
}

export function logoutResponseXml(input: { id: string; inResponseTo: string; sp: SpDescriptor; destination: string; success: boolean; now: Date }): string {
  const status = input.success ? SUCCESS : 'urn:oasis:names:tc:SAML:2.0:status:Responder';
  return (
    `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${input.id}" Version="2.0"` +
    ` IssueInstant="${input.now.toISOString()}" Destination="${escapeXml(input.destination)}" InResponseTo="${escapeXml(input.inResponseTo)}">` +
    `<saml:Issuer>${escapeXml(input.sp.entityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status>` +
    `</samlp:LogoutResponse>`
  );
}

const invalid = (message: string, check: string, detail?: string): never => {
  throw new FrontdoorError('sso.saml.logout_invalid', message, { check, ...(detail ? { detail } : {}) });
};

function checkCommon(root: Element, idp: IdpDescriptor, sp: SpDescriptor): string {
  const issuer = child(root, NS.assertion, 'Issuer');
  if (!issuer || textOnly(issuer)?.trim() !== idp.entityId) {
    throw new FrontdoorError('sso.saml.issuer_invalid', 'The logout message comes from another identity service.', { check: 'issuer' });
  }
  const destination = root.getAttribute('Destination');
  if (destination && destination !== sp.sloUrl) {
    throw new FrontdoorError('sso.saml.destination_invalid', 'The logout message was sent to another address.', { check: 'destination', detail: destination });
  }
  const id = root.getAttribute('ID');
  if (!id) invalid('The logout message has no ID.', 'id');
  return id!;
}

/** An identity service's LogoutRequest (its signature already verified by the binding). */
export function readLogoutRequest(doc: Document, idp: IdpDescriptor, sp: SpDescriptor, now: Date, toleranceMs: number) {
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'LogoutRequest') invalid('The message is not a LogoutRequest.', 'root');
  const id = checkCommon(root, idp, sp);
  const notOnOrAfter = root.getAttribute('NotOnOrAfter');
  if (notOnOrAfter && now.getTime() - toleranceMs >= Date.parse(notOnOrAfter)) {
    throw new FrontdoorError('sso.saml.time_invalid', 'The logout request has expired.', { check: 'not_on_or_after' });
  }
  const issueInstant = Date.parse(root.getAttribute('IssueInstant') ?? '');
  if (Number.isNaN(issueInstant) || issueInstant > now.getTime() + toleranceMs || issueInstant < now.getTime() - 10 * 60_000 - toleranceMs) {
    throw new FrontdoorError('sso.saml.time_invalid', 'The logout request is not current.', { check: 'issue_instant' });
  }
  const nameIdElement = child(root, NS.assertion, 'NameID');
  const nameId = nameIdElement ? textOnly(nameIdElement)?.trim() : undefined;
  if (!nameId) invalid('The logout request names nobody (no readable NameID).', 'name_id');
  const sessionIndexes = children(root, NS.protocol, 'SessionIndex').map((e) => textOnly(e)?.trim()).filter((v): v is string => Boolean(v));
  return { id, nameId: nameId!, sessionIndexes, validUntil: new Date((notOnOrAfter ? Date.parse(notOnOrAfter) : now.getTime() + 10 * 60_000) + toleranceMs) };
}

/** An identity service's answer to our LogoutRequest. */
export function readLogoutResponse(doc: Document, idp: IdpDescriptor, sp: SpDescriptor) {
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'LogoutResponse') invalid('The message is not a LogoutResponse.', 'root');
  checkCommon(root, idp, sp);
  const inResponseTo = root.getAttribute('InResponseTo');
  if (!inResponseTo) invalid('The logout response answers no request.', 'in_response_to');
  const status = child(child(root, NS.protocol, 'Status') ?? root, NS.protocol, 'StatusCode')?.getAttribute('Value');
  return { inResponseTo: inResponseTo!, success: status === SUCCESS, status };
}
