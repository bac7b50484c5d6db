// Well-formedness (XML 1.0 fifth edition, section 2.1; Namespaces in XML 1.0, section 7) of a
// document before anything reads it. @xmldom/xmldom 0.8, which every SAML library here parses
// with, is lenient: it reads a bare `&` in an attribute value, an unbound namespace prefix, or
// truncated and mismatched markup into some tree rather than refusing them, and two readers
// may then disagree about what the document says. This only refuses: it checks the grammar
// of what SAML uses (elements, attributes, character data, references, comments, CDATA
// sections, and the XML declaration that parseUntrustedXml removed before), and returns the
// first violation, or undefined. Document type declarations and processing instructions never
// get here (refused before, as xml_forbidden). Linear in the input: sticky regular
// expressions, each anchored where the scan stands, without backtracking across markup.

const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NAME = `[${NAME_START}][${NAME_CHAR}]*`;
const S = '[\\x20\\x09\\x0D\\x0A]';
// XML 1.0 [2] Char: what may appear at all (no other control characters, no lone surrogates).
const NOT_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// [67] Reference, with only the five predefined entities (there is no DTD to declare others).
const REFERENCE = /&(?:lt|gt|amp|apos|quot|#[0-9]+|#x[0-9a-fA-F]+);/y;

const START_TAG = new RegExp(`<(${NAME})`, 'uy');
const ATTRIBUTE = new RegExp(`${S}+(${NAME})${S}*=${S}*(?:"([^<"]*)"|'([^<']*)')`, 'uy');
const TAG_END = new RegExp(`${S}*(/?)>`, 'y');
const END_TAG = new RegExp(`</(${NAME})${S}*>`, 'uy');
const COMMENT = /<!--((?:[^-]|-(?!-))*)-->/y;
const CDATA = /<!\[CDATA\[[\s\S]*?\]\]>/y;
const TEXT = /[^<&]+/y;
const WHITESPACE = new RegExp(`${S}*`, 'y');

/** The first well-formedness error of `xml` (its declaration and BOM removed), or undefined. */
export function wellFormednessError(xml: string): string | undefined {
  if (NOT_CHAR.test(xml)) return 'a character that XML does not allow';
  const open: string[] = [];
  let rootSeen = false;
  let at = 0;
  const match = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = at;
    const found = pattern.exec(xml);
    if (found) at = pattern.lastIndex;
    return found;
  };
  while (at < xml.length) {
    const outside = open.length === 0;
    if (xml.startsWith('<!--', at)) {
      if (!match(COMMENT)) return `a malformed or unclosed comment at ${at}`;
    } else if (xml.startsWith('<![CDATA[', at)) {
      if (outside || !match(CDATA)) return `a CDATA section outside the root element or unclosed, at ${at}`;
    } else if (xml.startsWith('</', at)) {
      const end = match(END_TAG);
      if (!end) return `a malformed end tag at ${at}`;
      const expected = open.pop();
      if (expected !== end[1]) return `the end tag </${end[1]}> does not close <${expected ?? '(nothing)'}>`;
    } else if (xml[at] === '<') {
      if (outside && rootSeen) return `a second root element at ${at}`;
      const start = match(START_TAG);
      if (!start) return `a "<" that starts no markup, at ${at}`;
      const names = new Set<string>();
      for (let attribute = match(ATTRIBUTE); attribute; attribute = match(ATTRIBUTE)) {
        if (names.has(attribute[1]!)) return `the attribute ${attribute[1]} twice on <${start[1]}>`;
        names.add(attribute[1]!);
        const problem = referencesError(attribute[2] ?? attribute[3] ?? '');
        if (problem) return `${problem} in the attribute ${attribute[1]} of <${start[1]}>`;
      }
      const end = match(TAG_END);
      if (!end) return `a malformed start tag <${start[1]}> (an attribute without quotes or "=", or no whitespace between attributes), at ${at}`;
      rootSeen = true;
      if (!end[1]) open.push(start[1]!);
    } else if (xml[at] === '&') {
      if (outside) return `a reference outside the root element, at ${at}`;
      const reference = match(REFERENCE);
      if (!reference || !legalCharacterReference(reference[0])) return `a "&" that starts no character or entity reference, at ${at}`;
    } else if (outside) {
      const before = at;
      match(WHITESPACE);
      if (at === before) return `text outside the root element, at ${at}`;
    } else {
      const text = match(TEXT)!;
      if (text[0].includes(']]>')) return '"]]>" in character data';
    }
  }
  if (open.length > 0) return `the document ends inside <${open.at(-1)}> (truncated)`;
  if (!rootSeen) return 'no root element';
  return undefined;
}

function referencesError(value: string): string | undefined {
  for (let index = value.indexOf('&'); index !== -1; index = value.indexOf('&', index + 1)) {
    REFERENCE.lastIndex = index;
    const reference = REFERENCE.exec(value);
    if (!reference || !legalCharacterReference(reference[0])) return 'a "&" that starts no character or entity reference';
  }
  return undefined;
}

/** A character reference must name a Char (XML 1.0 [66] well-formedness constraint "Legal Character"). */
function legalCharacterReference(reference: string): boolean {
  if (!reference.startsWith('&#')) return true;
  const code = reference[2] === 'x' ? Number.parseInt(reference.slice(3, -1), 16) : Number.parseInt(reference.slice(2, -1), 10);
  return code <= 0x10ffff && !NOT_CHAR.test(String.fromCodePoint(code));
}

/**
 * Namespaces in XML 1.0 (section 5 and 7) on one parsed element: its prefix and those of its
 * attributes are declared, no prefix is declared empty, and it has no two attributes with the
 * same namespace and local name. xmldom leaves an unbound prefix's namespace null.
 * parseUntrustedXml applies it to every element in the one walk it makes of a document.
 */
export function elementNamespaceError(element: Element): string | undefined {
  const XMLNS = 'http://www.w3.org/2000/xmlns/';
  if ((element.tagName.match(/:/g)?.length ?? 0) > 1) return `the name <${element.tagName}> has more than one colon`;
  if (element.prefix && !element.namespaceURI) return `the namespace prefix ${element.prefix} of <${element.tagName}> is not declared`;
  const attributes = element.attributes;
  // Two attributes can only clash in a namespace when two are namespaced (xmlns aside).
  let seen: Set<string> | undefined;
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i]!;
    if (attribute.prefix === 'xmlns' && attribute.value === '') return `the namespace prefix ${attribute.localName} is declared empty on <${element.tagName}>`;
    if (attribute.prefix && attribute.prefix !== 'xmlns' && !attribute.namespaceURI) return `the namespace prefix ${attribute.prefix} of the attribute ${attribute.name} is not declared`;
    if (attribute.namespaceURI && attribute.namespaceURI !== XMLNS) {
      const key = `${attribute.namespaceURI} ${attribute.localName}`;
      seen ??= new Set<string>();
      if (seen.has(key)) return `two attributes ${attribute.localName} in one namespace on <${element.tagName}>`;
      seen.add(key);
    }
  }
  return undefined;
}
