import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { isFrontdoorError } from '../../../src/core/errors.ts';
import { readRedirectBinding, redirectBindingUrl } from '../../../src/protocols/saml/bindings.ts';
import { verifyLogoutWithNodeSaml } from '../../../src/protocols/saml/verifier.ts';
import { allElements, decodeXmlBytes, elements, parseUntrustedXml } from '../../../src/protocols/saml/xml.ts';

// The XML declaration (XML 1.0 section 2.8) and the document's character encoding (section
// 4.3.3, appendix F): what Okta, OneLogin, Entra, ADFS, SimpleSAMLphp and LemonLDAP::NG send.

const ROOT = '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isFrontdoorError(error)) return `${error.code} ${error.details?.check}`;
    throw error;
  }
  return 'accepted';
}

describe('XML declaration and encoding', () => {
  it('accepts the declaration with any encoding label, quotes, standalone, and a byte order mark', () => {
    for (const declaration of [
      '<?xml version="1.0"?>',
      '<?xml version="1.0" encoding="UTF-8"?>',
      "<?xml version='1.0' encoding='utf-8' standalone='no'?>",
      '<?xml version="1.0" encoding="ISO-8859-1" standalone="yes" ?>',
      '<?xml version="1.0" encoding="windows-1252"?>\n',
      '<?xml version="1.1" encoding="us-ascii"?>\r\n',
    ]) {
      for (const bom of ['', '\uFEFF']) {
        const doc = parseUntrustedXml(`${bom}${declaration}${ROOT}`);
        assert.equal(doc.documentElement.localName, 'LogoutRequest', declaration);
        const kinds = Array.from(doc.childNodes as unknown as ArrayLike<Node>).map((n) => n.nodeType);
        assert.ok(!kinds.includes(7), 'the declaration is not a processing instruction of the document');
      }
    }
  });

  it('refuses a malformed or misplaced declaration as not well-formed, and still refuses processing instructions', () => {
    assert.equal(refusal(() => parseUntrustedXml(`<?xml encoding="UTF-8"?>${ROOT}`)), 'sso.saml.message_invalid xml_declaration', 'no version');
    assert.equal(refusal(() => parseUntrustedXml(`<?xml version="1.0" encoding="UTF 8"?>${ROOT}`)), 'sso.saml.message_invalid xml_declaration');
    assert.equal(refusal(() => parseUntrustedXml(`<?xml version="1.0" standalone="maybe"?>${ROOT}`)), 'sso.saml.message_invalid xml_declaration');
    assert.equal(refusal(() => parseUntrustedXml(` <?xml version="1.0"?>${ROOT}`)), 'sso.saml.message_invalid xml_declaration', 'not at the very start');
    assert.equal(refusal(() => parseUntrustedXml(`<?xml version="1.0"?><?xml version="1.0"?>${ROOT}`)), 'sso.saml.message_invalid xml_declaration', 'twice');
    assert.equal(refusal(() => parseUntrustedXml(`<a><?xml version="1.0"?></a>`)), 'sso.saml.message_invalid xml_declaration');
    assert.equal(refusal(() => parseUntrustedXml(`<?xml version="1.0"?><?xml-stylesheet href="x"?>${ROOT}`)), 'sso.saml.xml_forbidden processing_instruction');
    assert.equal(refusal(() => parseUntrustedXml(`<?xml version="1.0"?><a><?php echo 1 ?></a>`)), 'sso.saml.xml_forbidden processing_instruction');
    assert.equal(refusal(() => parseUntrustedXml(`<?xml version="1.0"?><!DOCTYPE a>${ROOT}`)), 'sso.saml.xml_forbidden doctype');
  });

  it('decodes bytes in the encoding the byte order mark or the declaration names, else UTF-8', () => {
    const text = `${ROOT.replace('ID="_1"', 'ID="_é"')}`;
    assert.match(decodeXmlBytes(Buffer.from(text, 'utf8')), /_é/);
    assert.match(decodeXmlBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])), /^<samlp:.*_é/, 'UTF-8 BOM removed');
    assert.match(decodeXmlBytes(Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${text}`, 'latin1')), /_é/);
    assert.match(decodeXmlBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${text}`, 'utf16le')])), /_é/);
    const be = Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${text}`, 'utf16le').swap16();
    assert.match(decodeXmlBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), /_é/);
    // The declaration survives decoding and is then accepted by the parser.
    assert.equal(parseUntrustedXml(decodeXmlBytes(Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${text}`, 'latin1'))).documentElement.getAttribute('ID'), '_é');
  });

  it('an HTTP charset decides over the declaration, a byte order mark over both (RFC 7303 section 3.2)', () => {
    const text = ROOT.replace('ID="_1"', 'ID="_é"');
    assert.match(decodeXmlBytes(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>${text}`, 'latin1'), 'iso-8859-1'), /_é/);
    assert.match(decodeXmlBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'iso-8859-1'), /_é/);
    assert.equal(refusal(() => decodeXmlBytes(Buffer.from(text), 'x-unknown')), 'sso.saml.message_invalid encoding');
  });

  it('refuses bytes that are not valid in their encoding, unknown encodings, and UTF-16 labels without a byte order mark', () => {
    assert.equal(refusal(() => decodeXmlBytes(Buffer.from(ROOT.replace('ID="_1"', 'ID="_é"'), 'latin1'))), 'sso.saml.message_invalid encoding', 'Latin-1 bytes read as UTF-8');
    assert.equal(refusal(() => decodeXmlBytes(Buffer.from(`<?xml version="1.0" encoding="x-no-such"?>${ROOT}`))), 'sso.saml.message_invalid encoding');
    assert.equal(refusal(() => decodeXmlBytes(Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${ROOT}`))), 'sso.saml.message_invalid encoding');
  });

  it('a logout message sent with the Redirect binding may start with a declaration', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const url = new URL(redirectBindingUrl('https://sp.example/slo', 'SAMLRequest', `<?xml version="1.0" encoding="UTF-8"?>\n${ROOT}`, 'r', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string));
    const read = readRedirectBinding(url.search.slice(1), 'SAMLRequest', [publicKey.export({ type: 'spki', format: 'pem' }) as string], false);
    assert.equal(read.doc.documentElement.localName, 'LogoutRequest');
    assert.equal(read.relayState, 'r');
  });

  it('node-saml\'s validateRedirectAsync checks the same Redirect-binding logout message after ours', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const certificates = [publicKey.export({ type: 'spki', format: 'pem' }) as string];
    const request = (issuer: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z"><saml:Issuer>${issuer}</saml:Issuer><saml:NameID>ada@example.com</saml:NameID></samlp:LogoutRequest>`;
    const query = (issuer: string) => new URL(redirectBindingUrl('https://sp.example/slo', 'SAMLRequest', request(issuer), 'r', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).search.slice(1);
    const check = (rawQuery: string) => {
      const { doc } = readRedirectBinding(rawQuery, 'SAMLRequest', certificates, false);
      return verifyLogoutWithNodeSaml({ binding: 'redirect', kind: 'SAMLRequest', rawQuery, doc, certificates, idpEntityId: 'https://idp.example', spEntityId: 'https://sp.example', sloUrl: 'https://sp.example/slo' });
    };
    await check(query('https://idp.example'));
    await assert.rejects(check(query('https://other.example')), (e: unknown) => isFrontdoorError(e) && e.code === 'sso.saml.issuer_invalid');
  });
});

describe('well-formedness (XML 1.0 section 2.1, Namespaces in XML 1.0): message_invalid before anything reads the document', () => {
  const NS = 'xmlns:s="urn:s"';
  const refused = [
    ['a bare & in an attribute value', `<s:a ${NS} b="x&y"/>`],
    ['an unknown entity in text', `<s:a ${NS}>&nbsp;</s:a>`],
    ['a character reference to a character XML does not allow', `<s:a ${NS}>&#0;</s:a>`],
    ['a bare & in text', `<s:a ${NS}>fish & chips</s:a>`],
    ['an unbound element prefix', `<s:a ${NS}><p:b/></s:a>`],
    ['an unbound attribute prefix', `<s:a ${NS} p:b="1"/>`],
    ['a prefix declared empty', `<s:a ${NS} xmlns:p=""/>`],
    ['a name with two colons', `<s:a:b ${NS}/>`],
    ['the same attribute twice', `<s:a ${NS} b="1" b="2"/>`],
    ['the same namespaced attribute twice', `<s:a ${NS} xmlns:t="urn:s" s:b="1" t:b="2"/>`],
    ['an unquoted attribute value', `<s:a ${NS} b=1/>`],
    ['no whitespace between attributes', `<s:a ${NS} b="1"c="2"/>`],
    ['"<" in an attribute value', `<s:a ${NS} b="<"/>`],
    ['a mismatched end tag', `<s:a ${NS}><s:b></s:a>`],
    ['a truncated document', `<s:a ${NS}><s:b>`],
    ['a truncated start tag', `<s:a ${NS} b="1"`],
    ['"]]>" in text', `<s:a ${NS}>]]></s:a>`],
    ['"--" inside a comment', `<s:a ${NS}><!-- a -- b --></s:a>`],
    ['an unclosed comment', `<s:a ${NS}><!-- a </s:a>`],
    ['a control character', `<s:a ${NS}>\u0001</s:a>`],
    ['text after the root element', `<s:a ${NS}/>text`],
    ['a "<" that starts nothing', `<s:a ${NS}>< b</s:a>`],
  ];
  for (const [name, xml] of refused) {
    it(`refuses ${name}`, () => {
      // Our check (well_formed) or xmldom's own error (xml_parse): the same code either way.
      assert.match(refusal(() => parseUntrustedXml(xml!)), /^sso\.saml\.message_invalid (well_formed|xml_parse)$/);
    });
  }

  it('accepts what is well-formed: references, comments, CDATA, xml: attributes, whitespace in tags, non-ASCII', () => {
    for (const xml of [
      `<s:a ${NS} b="x&amp;y &#233; &#x1F600;" xml:lang="en"><!-- a & b - c --><![CDATA[ & < ]]>&lt;&gt;&amp;&apos;&quot;</s:a>`,
      `\n<s:a\n  ${NS}\tb = 'single' >é 😀<s:b/></s:a >\n<!-- after -->\n`,
      `<a xmlns="urn:default"><b xmlns=""/></a>`,
    ]) {
      assert.equal(refusal(() => parseUntrustedXml(xml)), 'accepted', xml);
    }
  });

  it('a second root element is structure_invalid (CVE-2022-39353), as before', () => {
    assert.equal(refusal(() => parseUntrustedXml(`<s:a ${NS}/><s:a ${NS}/>`)), 'sso.saml.structure_invalid single_root');
  });
});

describe('the elements of a parsed document (one walk, xml.ts)', () => {
  it('are the ones xmldom finds, in document order, the root included, for the ACS\'s queries', () => {
    const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r">
      <saml:Issuer>idp</saml:Issuer><!-- c --><samlp:Status><samlp:StatusCode Value="x"/></samlp:Status>
      <saml:Assertion ID="_a"><saml:Subject><saml:NameID>n</saml:NameID></saml:Subject>
        <x:Assertion xmlns:x="urn:other"><saml:Assertion ID="_b"/></x:Assertion></saml:Assertion>
      <saml:EncryptedAssertion/></samlp:Response>`;
    const doc = parseUntrustedXml(xml);
    const tree = (query: ArrayLike<Element>) => Array.from(query);
    assert.deepEqual(allElements(doc), tree(doc.getElementsByTagName('*') as unknown as ArrayLike<Element>));
    assert.equal(allElements(doc)[0], doc.documentElement);
    for (const [ns, name] of [['urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion'], ['urn:oasis:names:tc:SAML:2.0:assertion', 'EncryptedAssertion'], ['urn:other', 'Assertion'], ['urn:oasis:names:tc:SAML:2.0:protocol', 'Response']]) {
      const found = elements(doc, ns!, name!);
      assert.deepEqual(found, tree(doc.getElementsByTagNameNS(ns!, name!) as unknown as ArrayLike<Element>), `${ns} ${name}`);
    }
    assert.deepEqual(elements(doc, 'urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion').map((a) => a.getAttribute('ID')), ['_a', '_b']);
  });
});
