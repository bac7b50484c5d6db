import { DOMParser } from '@xmldom/xmldom';
import { FrontdoorError } from '../../core/errors.ts';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xmlenc: 'http://www.w3.org/2001/04/xmlenc#',
} as const;

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const PROCESSING_INSTRUCTION = 7;
const COMMENT = 8;
const DOCUMENT_TYPE = 10;

/** Decoded SAML messages larger than this are refused before any parsing. */
export const MAX_XML_BYTES = 256 * 1024;
/** Deeper nesting than this has no use in SAML and is how parser-exhaustion payloads look. */
const MAX_DEPTH = 64;

/**
 * Parses XML that came from outside, refusing what SAML never needs and attacks rely on:
 * DTDs and entities (XXE, billion laughs), processing instructions, more than one root
 * element (CVE-2022-39353), unbalanced or malformed markup, absurd depth. Parsing is linear
 * in the input with entities refused, so the size limit is also the time bound.
 */
export function parseUntrustedXml(xml: string, maxBytes: number = MAX_XML_BYTES): Document {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new FrontdoorError('sso.saml.too_large', 'The SAML message is too large.', { check: 'size' });
  }
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(xml)) {
    throw new FrontdoorError('sso.saml.xml_forbidden', 'The SAML message contains a document type declaration, which is not allowed.', { check: 'doctype' });
  }
  if (/<\?(?!xml\s)/i.test(xml.replace(/^\uFEFF?\s*<\?xml\s[^?]*\?>/, ''))) {
    throw new FrontdoorError('sso.saml.xml_forbidden', 'The SAML message contains processing instructions, which are not allowed.', { check: 'processing_instruction' });
  }
  const problems: string[] = [];
  const record = (message: string) => problems.push(String(message));
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: { warning: () => {}, error: record, fatalError: record } }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch (error) {
    problems.push((error as Error).message);
    doc = undefined as unknown as Document;
  }
  if (problems.some((p) => /Only one element can be added/.test(p))) {
    throw new FrontdoorError('sso.saml.structure_invalid', 'The SAML message must have exactly one root element.', { check: 'single_root' });
  }
  if (problems.length > 0 || !doc?.documentElement) {
    throw new FrontdoorError('sso.saml.message_invalid', 'The SAML message is not well-formed XML.', { check: 'xml_parse', detail: problems[0]?.slice(0, 300) });
  }
  let roots = 0;
  for (let node = doc.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT) roots += 1;
    else if (node.nodeType === DOCUMENT_TYPE || node.nodeType === PROCESSING_INSTRUCTION) {
      throw new FrontdoorError('sso.saml.xml_forbidden', 'The SAML message contains a declaration that is not allowed.', { check: 'doctype' });
    } else if (node.nodeType === TEXT && node.nodeValue?.trim()) roots += 1;
  }
  if (roots !== 1) {
    throw new FrontdoorError('sso.saml.structure_invalid', 'The SAML message must have exactly one root element.', { check: 'single_root' });
  }
  walk(doc.documentElement, 0);
  return doc;
}

function walk(element: Element, depth: number): void {
  if (depth > MAX_DEPTH) throw new FrontdoorError('sso.saml.structure_invalid', 'The SAML message is nested too deeply.', { check: 'depth' });
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === PROCESSING_INSTRUCTION) {
      throw new FrontdoorError('sso.saml.xml_forbidden', 'The SAML message contains processing instructions, which are not allowed.', { check: 'processing_instruction' });
    }
    if (node.nodeType === ELEMENT) walk(node as Element, depth + 1);
  }
}

export function elements(root: Document | Element, ns: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, localName) as unknown as ArrayLike<Element>);
}

export function children(parent: Element, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT && (node as Element).namespaceURI === ns && (node as Element).localName === localName) found.push(node as Element);
  }
  return found;
}

/** Child elements by local name in any namespace: how node-saml and xml-crypto look things up. */
export function childElements(parent: Element, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT && (node as Element).localName === localName) found.push(node as Element);
  }
  return found;
}

export function child(parent: Element, ns: string, localName: string): Element | undefined {
  return children(parent, ns, localName)[0];
}

/**
 * The text of an element that may hold only text: a comment, processing instruction or
 * child element inside (the 2018 comment-truncation attack on NameID, CVE-2017-11427 family)
 * makes it unreadable rather than silently shortened.
 */
export function textOnly(element: Element): string | undefined {
  let text = '';
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === TEXT || node.nodeType === CDATA) text += node.nodeValue ?? '';
    else if (node.nodeType === COMMENT || node.nodeType === PROCESSING_INSTRUCTION || node.nodeType === ELEMENT) return undefined;
  }
  return text;
}

/** Every element of the document, for checks that must see wrapped or hidden copies. */
export function allElements(doc: Document | Element): Element[] {
  return Array.from(doc.getElementsByTagName('*') as unknown as ArrayLike<Element>);
}

export function hasComment(element: Element): boolean {
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === COMMENT) return true;
    if (node.nodeType === ELEMENT && hasComment(node as Element)) return true;
  }
  return false;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
