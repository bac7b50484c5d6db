import { DOMParser } from '@xmldom/xmldom';
import { FrontdoorError } from '../../core/errors.ts';
import { elementNamespaceError, wellFormednessError } from './well-formed.ts';

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
const DOCUMENT = 9;
const DOCUMENT_TYPE = 10;

/** Decoded SAML messages larger than this are refused before any parsing. */
export const MAX_XML_BYTES = 256 * 1024;
/** Deeper nesting than this has no use in SAML and is how parser-exhaustion payloads look. */
const MAX_DEPTH = 64;

// The XML declaration (XML 1.0 section 2.8, production [23]): only at the very start of the
// document (after a byte order mark), version 1.x, an encoding label (EncName [81]) and
// standalone. Okta, OneLogin, Entra, ADFS, SimpleSAMLphp and LemonLDAP::NG all start their
// responses or metadata with one. Anything else spelled `<?xml` is not well-formed.
const XML_DECLARATION = /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>/;
const LOOKS_LIKE_DECLARATION = /^<\?xml(?=[\s?])/;

/**
 * The text of an XML document received as bytes (XML 1.0 section 4.3.3 and appendix F): a
 * byte order mark decides the encoding, else the charset of the HTTP Content-Type it came with
 * (`charset`, authoritative for XML media types, RFC 7303 section 3.2), else the declaration's
 * encoding label, else UTF-8.
 * Bytes that are not valid in that encoding, an encoding no decoder knows, or a UTF-16 label
 * on a document without a UTF-16 byte order mark make the document not well-formed
 * (`sso.saml.message_invalid`): nothing is read from text decoded by guesswork.
 */
export function decodeXmlBytes(bytes: Uint8Array, charset?: string): string {
  const invalid = (detail: string): never => {
    throw new FrontdoorError('sso.saml.message_invalid', 'The SAML message is not well-formed XML (its character encoding).', { check: 'encoding', detail });
  };
  let label = 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (charset && !(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) label = charset;
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    // Without a byte order mark the declaration, if any, is in ASCII (appendix F.1).
    const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
    const declared = XML_DECLARATION.exec(head)?.[3];
    if (declared) {
      if (/^utf-?16/i.test(declared)) invalid(`${declared} declared without a byte order mark`);
      label = declared;
    }
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return invalid(`unknown encoding ${label}`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return invalid(`bytes not valid ${decoder.encoding}`);
  }
}

/**
 * Parses XML that came from outside, refusing what SAML never needs and attacks rely on:
 * DTDs and entities (XXE, billion laughs), processing instructions, more than one root
 * element (CVE-2022-39353), unbalanced or malformed markup, absurd depth. The XML declaration
 * is accepted at the start (with or without a byte order mark, any encoding label: the text
 * is already decoded, see decodeXmlBytes) and is not part of the parsed document. Parsing is
 * linear in the input with entities refused, so the size limit is also the time bound.
 */
export function parseUntrustedXml(xml: string, maxBytes: number = MAX_XML_BYTES): Document {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new FrontdoorError('sso.saml.too_large', 'The SAML message is too large.', { check: 'size' });
  }
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(xml)) {
    throw new FrontdoorError('sso.saml.xml_forbidden', 'The SAML message contains a document type declaration, which is not allowed.', { check: 'doctype' });
  }
  let body = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  const declaration = XML_DECLARATION.exec(body);
  if (declaration) body = body.slice(declaration[0].length);
  else if (LOOKS_LIKE_DECLARATION.test(body)) {
    throw new FrontdoorError('sso.saml.message_invalid', 'The SAML message is not well-formed XML (its XML declaration).', { check: 'xml_declaration' });
  }
  if (/<\?xml(?=[\s?])/i.test(body)) {
    // A declaration anywhere but at the very start (XML 1.0 [17]: "xml" is no PI target).
    throw new FrontdoorError('sso.saml.message_invalid', 'The SAML message is not well-formed XML (an XML declaration that is not at the start).', { check: 'xml_declaration' });
  }
  if (/<\?/.test(body)) {
    throw new FrontdoorError('sso.saml.xml_forbidden', 'The SAML message contains processing instructions, which are not allowed.', { check: 'processing_instruction' });
  }
  // Well-formedness first (XML 1.0 section 2.1): what a conforming parser refuses is refused
  // here, before xmldom (which is lenient) builds a tree anyone reads.
  const malformed = wellFormednessError(body);
  if (malformed?.startsWith('a second root element')) {
    throw new FrontdoorError('sso.saml.structure_invalid', 'The SAML message must have exactly one root element.', { check: 'single_root' });
  }
  if (malformed) throw new FrontdoorError('sso.saml.message_invalid', 'The SAML message is not well-formed XML.', { check: 'well_formed', detail: malformed });
  const problems: string[] = [];
  const record = (message: string) => problems.push(String(message));
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(body, 'text/xml') as unknown as Document;
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
  const walked: Walk = { all: [], unbound: undefined };
  walk(doc.documentElement, 0, walked);
  if (walked.unbound) throw new FrontdoorError('sso.saml.message_invalid', 'The SAML message is not well-formed XML (its namespaces).', { check: 'well_formed', detail: walked.unbound });
  elementsOf.set(doc, walked.all);
  return doc;
}

// Every element of each document parseUntrustedXml returned, in document order, from the one
// walk that checked it: xmldom's getElementsByTagName(NS) walks the whole tree again on every
// call, and the ACS asks for IDs, assertions and signature algorithms of the same document.
// Nothing here changes a parsed document, so the list stays its elements.
const elementsOf = new WeakMap<Document, readonly Element[]>();

type Walk = { all: Element[]; unbound: string | undefined };

/** Depth, processing instructions and namespaces of every element, in document order. */
function walk(element: Element, depth: number, walked: Walk): void {
  if (depth > MAX_DEPTH) throw new FrontdoorError('sso.saml.structure_invalid', 'The SAML message is nested too deeply.', { check: 'depth' });
  walked.unbound ??= elementNamespaceError(element);
  walked.all.push(element);
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === PROCESSING_INSTRUCTION) {
      throw new FrontdoorError('sso.saml.xml_forbidden', 'The SAML message contains processing instructions, which are not allowed.', { check: 'processing_instruction' });
    }
    if (node.nodeType === ELEMENT) walk(node as Element, depth + 1, walked);
  }
}

const walkedElementsOf = (root: Document | Element): readonly Element[] | undefined =>
  root.nodeType === DOCUMENT ? elementsOf.get(root as Document) : undefined;

export function elements(root: Document | Element, ns: string, localName: string): Element[] {
  const all = walkedElementsOf(root);
  if (all) return all.filter((element) => element.localName === localName && element.namespaceURI === ns);
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
export function allElements(doc: Document | Element): readonly Element[] {
  return walkedElementsOf(doc) ?? Array.from(doc.getElementsByTagName('*') as unknown as ArrayLike<Element>);
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
