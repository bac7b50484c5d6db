import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { createSign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type * as samlify from 'samlify';
import type { AuthApp } from '../../src/core/apps.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import { generateKeyPair, type KeyPair } from '../../src/protocols/saml/sp-keys.ts';
import { accountCounts } from '../helpers/counts.ts';
import { errorCodeOf, failureOf, installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

// Attacks on the ACS (issue 4). Each builds the hostile message from a real, signed response
// of the test IdP (or from scratch with xml-crypto), posts it as a browser would, and checks
// the exact error code, that nothing was created, and that the server did not fail (no 5xx).

const NS_P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const unb64 = (value: string) => Buffer.from(value, 'base64').toString('utf8');
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
const serialize = (doc: Document | Node) => new XMLSerializer().serializeToString(doc as never);
const first = (doc: Document | Element, ns: string, name: string) => doc.getElementsByTagNameNS(ns, name)[0] as Element;

/** Signs the element matched by `xpath` (enveloped), inserting the signature after its Issuer. */
function sign(
  xml: string,
  keys: { privateKey: string; certificate: string },
  options: { xpath?: string; signatureAlgorithm?: string; digestAlgorithm?: string; hmac?: boolean } = {},
): string {
  const xpath = options.xpath ?? "//*[local-name(.)='Assertion']";
  const sig = new SignedXml({ privateKey: keys.privateKey, publicCert: keys.certificate });
  if (options.hmac) sig.enableHMAC();
  sig.signatureAlgorithm = (options.signatureAlgorithm ?? RSA_SHA256) as never;
  sig.canonicalizationAlgorithm = EXC_C14N;
  sig.addReference({ xpath, digestAlgorithm: options.digestAlgorithm ?? SHA256, transforms: [ENVELOPED, EXC_C14N] });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

function stripSignatures(xml: string): string {
  const doc = parse(xml);
  for (const s of Array.from(doc.getElementsByTagNameNS(NS_DS, 'Signature'))) s.parentNode!.removeChild(s);
  return serialize(doc);
}

describe('SAML ACS attacks', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let otherIdp: SamlIdp;
  let attacker: KeyPair;
  let app: AuthApp;
  let sp: samlify.ServiceProviderInstance;
  let otherApp: AuthApp;
  let otherSp: samlify.ServiceProviderInstance;

  before(async () => {
    server = await startTestServer();
    idp = await SamlIdp.start();
    otherIdp = await SamlIdp.start();
    attacker = await generateKeyPair('Attacker');
    // Assertions signed, the response not: the shape the wrapping attacks target.
    ({ app, sp } = await installSamlApp(server, idp, { slug: 'victim', signResponse: false }));
    ({ app: otherApp, sp: otherSp } = await installSamlApp(server, otherIdp, { slug: 'other-app', signResponse: false }));
  });
  after(async () => {
    await idp.close();
    await otherIdp.close();
    await server.close();
  });

  /** A genuine signed response to a sign-in our app started; the attack transforms its XML. */
  async function genuine(user = 'victim@example.com', tweaks = {}) {
    const answer = await loginAtIdp(server.client(), app, idp, sp, { nameId: user, email: user }, tweaks);
    return { xml: unb64(answer.SAMLResponse), relayState: answer.RelayState, requestId: answer.requestId };
  }

  async function expectRefused(post: () => Promise<TestResponse>, code: ErrorCode): Promise<TestResponse> {
    const before = await accountCounts(server.services.db);
    const response = await post();
    assert.ok(response.status < 500, `no 5xx (got ${response.status})`);
    assert.equal(errorCodeOf(response), code, await failureOf(server, response));
    assert.deepEqual(await accountCounts(server.services.db), before, 'nothing created');
    return response;
  }

  const postXml = (xml: string, relayState?: string, target: AuthApp = app) => postToAcs(server.client(), target, { SAMLResponse: b64(xml), RelayState: relayState });

  it('control: the genuine response is accepted (so each refusal below is the attack\'s doing)', async () => {
    const { xml, relayState } = await genuine('control@example.com');
    const response = await postXml(xml, relayState);
    assert.equal(response.status, 303, await failureOf(server, response));
  });

  it('signature removed', async () => {
    const { xml, relayState } = await genuine();
    await expectRefused(() => postXml(stripSignatures(xml), relayState), 'sso.saml.signature_invalid');
  });

  it('content altered after signing (NameID changed)', async () => {
    const { xml, relayState } = await genuine();
    await expectRefused(() => postXml(xml.replace('>victim@example.com<', '>admin@example.com<'), relayState), 'sso.saml.signature_invalid');
  });

  it('attribute altered after signing (email attribute changed)', async () => {
    const { xml, relayState } = await genuine();
    await expectRefused(() => postXml(xml.replace('<saml:AttributeValue>victim@example.com<', '<saml:AttributeValue>admin@example.com<'), relayState), 'sso.saml.signature_invalid');
  });

  describe('XML signature wrapping (XSW1 to XSW8 style)', () => {
    /** An unsigned copy of the assertion, naming the attacker's choice of person. */
    function evilAssertion(doc: Document, newId?: string): Element {
      const evil = first(doc, NS_A, 'Assertion').cloneNode(true) as Element;
      for (const s of Array.from(evil.getElementsByTagNameNS(NS_DS, 'Signature'))) s.parentNode!.removeChild(s);
      first(evil, NS_A, 'NameID').textContent = 'admin@example.com';
      if (newId) evil.setAttribute('ID', newId);
      return evil;
    }

    const cases: { name: string; code: ErrorCode; wrap(doc: Document): void }[] = [
      {
        name: 'XSW1: evil response wraps the signed response inside its Signature (ds:Object)',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const response = doc.documentElement;
          const original = response.cloneNode(true) as Element;
          const evil = evilAssertion(doc, '_evil1');
          const signedAssertion = first(response, NS_A, 'Assertion');
          response.replaceChild(evil, signedAssertion);
          response.setAttribute('ID', '_evilresponse');
          const sig = doc.createElementNS(NS_DS, 'ds:Signature');
          const object = doc.createElementNS(NS_DS, 'ds:Object');
          object.appendChild(original);
          sig.appendChild(object);
          response.insertBefore(sig, response.firstChild!.nextSibling);
        },
      },
      {
        name: 'XSW2: signed response copy placed before the evil content, same ID',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const response = doc.documentElement;
          const copy = response.cloneNode(true) as Element;
          response.insertBefore(copy, response.firstChild);
          first(response, NS_A, 'NameID').textContent = 'admin@example.com';
        },
      },
      {
        name: 'XSW3: unsigned evil assertion (new ID) placed before the signed one',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const signed = first(doc, NS_A, 'Assertion');
          doc.documentElement.insertBefore(evilAssertion(doc, '_evil3'), signed);
        },
      },
      {
        name: 'XSW3b: unsigned evil assertion with the SAME ID placed before the signed one',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const signed = first(doc, NS_A, 'Assertion');
          doc.documentElement.insertBefore(evilAssertion(doc), signed);
        },
      },
      {
        name: 'XSW4: the signed assertion wrapped inside an evil assertion',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const signed = first(doc, NS_A, 'Assertion');
          const evil = evilAssertion(doc, '_evil4');
          doc.documentElement.replaceChild(evil, signed);
          evil.appendChild(signed);
        },
      },
      {
        name: 'XSW5: evil assertion carries the original signature; the signed original placed after it',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const signed = first(doc, NS_A, 'Assertion');
          const evil = evilAssertion(doc);
          evil.insertBefore(first(signed, NS_DS, 'Signature').cloneNode(true), first(evil, NS_A, 'Subject'));
          doc.documentElement.insertBefore(evil, signed);
          doc.documentElement.appendChild(signed);
        },
      },
      {
        name: 'XSW6: the signed original moved into the evil assertion\'s Signature/ds:Object',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const signed = first(doc, NS_A, 'Assertion');
          const evil = evilAssertion(doc);
          const sig = first(signed, NS_DS, 'Signature').cloneNode(true) as Element;
          const object = doc.createElementNS(NS_DS, 'ds:Object');
          sig.appendChild(object);
          evil.insertBefore(sig, first(evil, NS_A, 'Subject'));
          doc.documentElement.replaceChild(evil, signed);
          object.appendChild(signed);
        },
      },
      {
        name: 'XSW7: the signed original hidden in samlp:Extensions, an evil assertion in its place',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const signed = first(doc, NS_A, 'Assertion');
          const extensions = doc.createElementNS(NS_P, 'samlp:Extensions');
          doc.documentElement.insertBefore(extensions, first(doc, NS_P, 'Status'));
          doc.documentElement.replaceChild(evilAssertion(doc, '_evil7'), signed);
          extensions.appendChild(signed);
        },
      },
      {
        name: 'XSW8: the signed original inside ds:Object of a signature on the evil assertion (same ID)',
        code: 'sso.saml.structure_invalid',
        wrap(doc) {
          const signed = first(doc, NS_A, 'Assertion');
          const evil = evilAssertion(doc);
          const sig = first(signed, NS_DS, 'Signature');
          const object = doc.createElementNS(NS_DS, 'ds:Object');
          const copy = signed.cloneNode(true) as Element;
          copy.removeChild(first(copy, NS_DS, 'Signature'));
          object.appendChild(copy);
          const moved = sig.cloneNode(true) as Element;
          moved.appendChild(object);
          evil.insertBefore(moved, first(evil, NS_A, 'Subject'));
          doc.documentElement.replaceChild(evil, signed);
        },
      },
    ];
    for (const attack of cases) {
      it(attack.name, async () => {
        const { xml, relayState } = await genuine();
        const doc = parse(xml);
        attack.wrap(doc);
        await expectRefused(() => postXml(serialize(doc), relayState), attack.code);
      });
    }
  });

  it('duplicate IDs (the Status element given the assertion\'s ID)', async () => {
    const { xml, relayState } = await genuine();
    const doc = parse(xml);
    first(doc, NS_P, 'Status').setAttribute('ID', first(doc, NS_A, 'Assertion').getAttribute('ID')!);
    await expectRefused(() => postXml(serialize(doc), relayState), 'sso.saml.structure_invalid');
  });

  it('a signed error response carrying a forged assertion', async () => {
    const { xml, relayState } = await genuine();
    const doc = parse(xml);
    first(doc, NS_P, 'StatusCode').setAttribute('Value', 'urn:oasis:names:tc:SAML:2.0:status:Responder');
    const forged = stripSignatures(serialize(doc)).replace('>victim@example.com<', '>admin@example.com<');
    const signedError = sign(forged, idp.keys, { xpath: "/*[local-name(.)='Response']" });
    await expectRefused(() => postXml(signedError, relayState), 'sso.saml.status_error');
  });

  it('a comment inside NameID (truncation attack; the signature stays valid)', async () => {
    const { xml, relayState } = await genuine('admin@example.com.evil.example');
    const commented = xml.replace('>admin@example.com.evil.example</saml:NameID>', '>admin@example.com<!---->.evil.example</saml:NameID>');
    assert.notEqual(commented, xml);
    await expectRefused(() => postXml(commented, relayState), 'sso.saml.subject_invalid');
  });

  it('a processing instruction inside NameID', async () => {
    const { xml, relayState } = await genuine('admin@example.com.evil.example');
    const withPi = xml.replace('>admin@example.com.evil.example</saml:NameID>', '>admin@example.com<?x y?>.evil.example</saml:NameID>');
    await expectRefused(() => postXml(withPi, relayState), 'sso.saml.xml_forbidden');
  });

  it('re-signed with an attacker\'s key, its certificate in KeyInfo', async () => {
    const { xml, relayState } = await genuine();
    const resigned = sign(stripSignatures(xml).replace('>victim@example.com<', '>admin@example.com<'), attacker);
    assert.match(resigned, /<ds:X509Certificate>/, 'the attacker\'s certificate travels in KeyInfo');
    await expectRefused(() => postXml(resigned, relayState), 'sso.saml.signature_invalid');
  });

  it('HMAC "signature" keyed with the IdP\'s public certificate', async () => {
    const { xml, relayState } = await genuine();
    const hmac = sign(stripSignatures(xml), { privateKey: idp.keys.certificate, certificate: idp.keys.certificate }, {
      signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1', digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1', hmac: true,
    });
    await expectRefused(() => postXml(hmac, relayState), 'sso.saml.algorithm_forbidden');
  });

  it('RSA-SHA1 signed by the real IdP key: refused unless the app allows SHA-1', async () => {
    const sha1 = { signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' };
    const { xml, relayState } = await genuine();
    await expectRefused(() => postXml(sign(stripSignatures(xml), idp.keys, sha1), relayState), 'sso.saml.algorithm_forbidden');
    // The legacy flag exists for old identity services, and works.
    await server.services.apps.update(app.id, { config: { allowSha1: true } }, { type: 'cli' });
    try {
      const again = await genuine('legacy@example.com');
      const accepted = await postXml(sign(stripSignatures(again.xml), idp.keys, sha1), again.relayState);
      assert.equal(accepted.status, 303, await failureOf(server, accepted));
    } finally {
      await server.services.apps.update(app.id, { config: { allowSha1: false } }, { type: 'cli' });
      app = (await server.services.apps.find(app.id))!;
    }
  });

  it('multiple root elements', async () => {
    const { xml, relayState } = await genuine();
    const body = xml.replace(/^<\?xml[^>]*\?>/, '');
    await expectRefused(() => postXml(`${body}${body.replace('>victim@example.com<', '>admin@example.com<')}`, relayState), 'sso.saml.structure_invalid');
  });

  it('replay of a consumed response, and two copies at once: exactly one wins', async () => {
    const { xml, relayState } = await genuine('replay@example.com');
    const results = await Promise.all([postXml(xml, relayState), postXml(xml, relayState)]);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [303, 400]);
    const loser = results.find((r) => r.status === 400)!;
    assert.equal(errorCodeOf(loser), 'sso.saml.replayed');
    await expectRefused(() => postXml(xml, relayState), 'sso.saml.replayed');
  });

  it('an unknown InResponseTo', async () => {
    const answer = await idp.createResponse(sp, { nameId: 'x@example.com', email: 'x@example.com' }, { inResponseTo: '_never_issued_by_us' });
    await expectRefused(() => postToAcs(server.client(), app, { SAMLResponse: answer }), 'sso.saml.in_response_to_invalid');
  });

  it('another app\'s InResponseTo', async () => {
    const otherStart = await loginAtIdp(server.client(), otherApp, otherIdp, otherSp, { nameId: 'y@example.com', email: 'y@example.com' });
    const answer = await idp.createResponse(sp, { nameId: 'y@example.com', email: 'y@example.com' }, { inResponseTo: otherStart.requestId });
    await expectRefused(() => postToAcs(server.client(), app, { SAMLResponse: answer, RelayState: otherStart.RelayState }), 'sso.saml.in_response_to_invalid');
  });

  it('an unsolicited assertion given a pending request\'s InResponseTo on the unsigned Response', async () => {
    const pending = await genuine('pending@example.com');
    const unsolicited = unb64(await idp.createResponse(sp, { nameId: 'admin@example.com', email: 'admin@example.com' }, { inResponseTo: null }));
    const injected = unsolicited.replace('<samlp:Response ', `<samlp:Response InResponseTo="${pending.requestId}" `);
    await expectRefused(() => postXml(injected, pending.relayState), 'sso.saml.in_response_to_invalid');
  });

  it('expired conditions', async () => {
    const { xml, relayState } = await genuine('late@example.com', { notOnOrAfterMs: -60 * 60_000, notBeforeMs: -2 * 60 * 60_000 });
    await expectRefused(() => postXml(xml, relayState), 'sso.saml.time_invalid');
  });

  it('not yet valid conditions', async () => {
    const { xml, relayState } = await genuine('early@example.com', { notBeforeMs: 10 * 60_000, notOnOrAfterMs: 20 * 60_000 });
    await expectRefused(() => postXml(xml, relayState), 'sso.saml.time_invalid');
  });

  it('clock tolerance (30 s by default): 20 s out either way is accepted, 40 s is refused', async () => {
    const within = [
      ['lagging@example.com', { notOnOrAfterMs: -20_000, notBeforeMs: -60_000 }],
      ['leading@example.com', { notBeforeMs: 20_000, notOnOrAfterMs: 300_000 }],
    ] as const;
    for (const [user, tweaks] of within) {
      const { xml, relayState } = await genuine(user, tweaks);
      const response = await postXml(xml, relayState);
      assert.equal(response.status, 303, `${user}: ${await failureOf(server, response)}`);
    }
    const beyond = [
      ['too-late@example.com', { notOnOrAfterMs: -40_000, notBeforeMs: -60_000 }],
      ['too-early@example.com', { notBeforeMs: 40_000, notOnOrAfterMs: 300_000 }],
    ] as const;
    for (const [user, tweaks] of beyond) {
      const { xml, relayState } = await genuine(user, tweaks);
      await expectRefused(() => postXml(xml, relayState), 'sso.saml.time_invalid');
    }
  });

  it('wrong Audience', async () => {
    const { xml, relayState } = await genuine('aud@example.com', { audience: 'https://other-sp.example/metadata' });
    await expectRefused(() => postXml(xml, relayState), 'sso.saml.audience_invalid');
  });

  it('wrong Recipient', async () => {
    const { xml, relayState } = await genuine('rcpt@example.com', { recipient: 'https://other-sp.example/acs' });
    await expectRefused(() => postXml(xml, relayState), 'sso.saml.recipient_invalid');
  });

  it('wrong Destination', async () => {
    const { xml, relayState } = await genuine('dest@example.com', { destination: 'https://other-sp.example/acs' });
    await expectRefused(() => postXml(xml, relayState), 'sso.saml.destination_invalid');
  });

  it('a response signed by another app\'s identity service', async () => {
    const { requestId, relayState } = await genuine('cross@example.com');
    // otherIdp signs, claiming to be our app's IdP, for our SP and our outstanding request.
    const answer = await otherIdp.createResponse(sp, { nameId: 'cross@example.com', email: 'cross@example.com' }, { inResponseTo: requestId, issuer: idp.entityId });
    await expectRefused(() => postToAcs(server.client(), app, { SAMLResponse: answer, RelayState: relayState }), 'sso.saml.signature_invalid');
    // And under its own name: the issuer is not ours.
    const own = await otherIdp.createResponse(sp, { nameId: 'cross@example.com', email: 'cross@example.com' }, { inResponseTo: requestId });
    await expectRefused(() => postToAcs(server.client(), app, { SAMLResponse: own, RelayState: relayState }), 'sso.saml.issuer_invalid');
  });

  it('an unsolicited response while IdP-initiated sign-in is off', async () => {
    const answer = await idp.createResponse(sp, { nameId: 'u@example.com', email: 'u@example.com' });
    await expectRefused(() => postToAcs(server.client(), app, { SAMLResponse: answer, RelayState: '/' }), 'sso.saml.unsolicited');
  });

  it('DOCTYPE with an external entity (XXE)', async () => {
    const { xml, relayState } = await genuine();
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml.replace(/^<\?xml[^>]*\?>/, '').replace('>victim@example.com<', '>&x;<')}`;
    await expectRefused(() => postXml(xxe, relayState), 'sso.saml.xml_forbidden');
  });

  it('entity expansion (billion laughs)', async () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><samlp:Response xmlns:samlp="${NS_P}">&lol3;</samlp:Response>`;
    await expectRefused(() => postXml(lol), 'sso.saml.xml_forbidden');
  });

  it('oversized bodies: past the ACS body limit, and past the XML limit', async () => {
    await expectRefused(() => server.client().postForm(`/sso/${app.slug}/saml/acs`, { SAMLResponse: 'A'.repeat(600 * 1024) }), 'request.too_large');
    const { xml, relayState } = await genuine();
    const padded = xml.replace('</samlp:Response>', `<samlp:Extensions>${'<x/>'.repeat(80_000)}</samlp:Extensions></samlp:Response>`);
    await expectRefused(() => postXml(padded, relayState), 'sso.saml.too_large');
  });

  it('not base64, not XML, not a Response', async () => {
    await expectRefused(() => postToAcs(server.client(), app, { SAMLResponse: '%%%not base64%%%' }), 'sso.saml.message_invalid');
    await expectRefused(() => postXml('<samlp:Response xmlns:samlp="x"'), 'sso.saml.message_invalid');
    await expectRefused(() => postXml(`<samlp:LogoutResponse xmlns:samlp="${NS_P}" Version="2.0"/>`), 'sso.saml.message_invalid');
  });

  it('not well-formed XML is message_invalid, before anything reads it, even when the IdP\'s key signed what xmldom made of it', async () => {
    const { xml, relayState } = await genuine();
    // Signed by the IdP's key over what xmldom makes of the text (as a lenient IdP library
    // would), then, where the serializer had repaired it, broken again in a way the canonical
    // form (so the signature) does not see: before this check, these signed in.
    const unsigned = xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
    const resigned = (text: string, [from, to]: [string, string] = ['', '']) => sign(text, idp.keys).replace(from, to);
    const cases: [string, string][] = [
      ['a bare & in an attribute value', resigned(unsigned.replace('<saml:Assertion ', '<saml:Assertion Extra="fish&amp;chips" '), ['fish&amp;chips', 'fish&chips'])],
      ['an unbound element prefix', resigned(unsigned.replace('</saml:Subject>', '<x:Note>hi</x:Note></saml:Subject>'))],
      ['an unbound attribute prefix', resigned(unsigned.replace('<saml:Assertion ', '<saml:Assertion x:role="admin" '))],
      ['an unknown entity', resigned(unsigned.replace('>victim@example.com<', '>victim@example.com&amp;admin;<'), ['&amp;admin;', '&admin;'])],
      ['a duplicated attribute', xml.replace('<samlp:Response ', '<samlp:Response Version="2.0" ')],
      ['mismatched end tag', xml.replace('</saml:Issuer>', '</saml:Issue>')],
      ['truncated', xml.slice(0, xml.length - 12)],
      ['an unquoted attribute value', xml.replace('<samlp:Response ', '<samlp:Response Consent=x ')],
      ['a control character', xml.replace('>victim@example.com<', '>victim\u0001@example.com<')],
    ];
    for (const [name, broken] of cases) {
      assert.notEqual(broken, xml, name);
      const response = await expectRefused(() => postXml(broken, relayState), 'sso.saml.message_invalid');
      assert.match(await failureOf(server, response), /well_formed/, name);
    }
  });

  it('Redirect binding (single logout): a DEFLATE bomb is stopped at the inflate limit', async () => {
    const bomb = deflateRawSync(Buffer.from(`<samlp:LogoutRequest xmlns:samlp="${NS_P}">${' '.repeat(4 * 1024 * 1024)}</samlp:LogoutRequest>`));
    assert.ok(bomb.length < 8 * 1024, `small on the wire (${bomb.length} bytes for 4 MiB)`);
    let query = `SAMLRequest=${encodeURIComponent(bomb.toString('base64'))}&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    query += `&Signature=${encodeURIComponent(createSign('RSA-SHA256').update(query).sign(idp.keys.privateKey, 'base64'))}`;
    const response = await server.client().get(`/sso/${app.slug}/saml/slo?${query}`);
    assert.ok(response.status < 500);
    assert.equal(errorCodeOf(response), 'sso.saml.too_large');
  });
});
