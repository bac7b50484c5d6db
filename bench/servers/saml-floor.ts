import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import * as samlify from 'samlify';

// The floors for the SAML ACS, bare and each in a process of its own: one maintained library
// validating the very SAMLResponse Frontdoor is sent, in a loop on one core, nothing else (no
// Frontdoor code, no HTTP, no database). SAML_FLOOR_LIBRARY picks it:
//   node-saml: validatePostResponseAsync (signature, conditions, audience, issuer), the library
//              Frontdoor's ACS verifies through;
//   samlify:   a ServiceProvider's parseLoginResponse (signature, conditions, issuer), a peer;
//   rsa:       node:crypto's RSA-SHA256 verification of each signature the response carries,
//              and nothing else: the part every ACS must do, whatever library parses the XML.
//              Frontdoor's ACS verifies with its own signature.ts on xml-crypto's canonicalizers
//              (no longer through node-saml), so node-saml and samlify are peers it may beat;
//              this one it cannot, and a ratio above 1 against it fails the run.
// SAML_FLOOR_INPUT names a JSON file {response, idpCert, idpIssuer, idpMetadata, spMetadata, entityId, acsUrl}.
// Prints the count, the wall time and this process's CPU time over the window.
const seconds = Number(process.env.SECONDS ?? 5);
const input = JSON.parse(readFileSync(process.env.SAML_FLOOR_INPUT!, 'utf8')) as {
  response: string; idpCert: string; idpIssuer: string; idpMetadata: string; spMetadata: string; entityId: string; acsUrl: string;
};

let validate: () => Promise<unknown>;
if (process.env.SAML_FLOOR_LIBRARY === 'rsa') {
  const xml = Buffer.from(input.response, 'base64').toString('utf8');
  const key = createPublicKey(input.idpCert.includes('BEGIN') ? input.idpCert : `-----BEGIN CERTIFICATE-----\n${input.idpCert}\n-----END CERTIFICATE-----`);
  // Each signature: its SignedInfo as sent and its SignatureValue (an RSA verification costs the
  // same whether or not the bytes are the canonical ones, so this needs no canonicalizer).
  const signatures = [...xml.matchAll(/<(?:\w+:)?SignedInfo[\s>][\s\S]*?<\/(?:\w+:)?SignedInfo>[\s\S]*?<(?:\w+:)?SignatureValue[^>]*>([^<]+)</g)].map((m) => ({
    signedInfo: Buffer.from(m[0].slice(0, m[0].indexOf('SignedInfo>', 10) + 11)),
    value: Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'),
  }));
  if (signatures.length === 0) throw new Error('no signature in the response');
  validate = async () => {
    for (const s of signatures) verify('sha256', s.signedInfo, key, s.value);
  };
} else if (process.env.SAML_FLOOR_LIBRARY === 'samlify') {
  // samlify wants a schema validator; this one checks well-formed XML with no DTD, as the test peer's does.
  samlify.setSchemaValidator({
    validate: async (xml: string) => {
      if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('DTD not allowed');
      const errors: string[] = [];
      const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) } }).parseFromString(xml, 'text/xml');
      if (errors.length || !doc.documentElement) throw new Error(`invalid XML: ${errors[0]}`);
      return 'ok';
    },
  });
  const sp = samlify.ServiceProvider({ metadata: input.spMetadata, wantAssertionsSigned: true });
  const idp = samlify.IdentityProvider({ metadata: input.idpMetadata });
  validate = () => sp.parseLoginResponse(idp, 'post', { body: { SAMLResponse: input.response } });
} else {
  const saml = new SAML({
    issuer: input.entityId, audience: input.entityId, callbackUrl: input.acsUrl, idpCert: input.idpCert, idpIssuer: input.idpIssuer,
    wantAssertionsSigned: true, wantAuthnResponseSigned: false, validateInResponseTo: ValidateInResponseTo.never, acceptedClockSkewMs: 60_000,
  });
  validate = () => saml.validatePostResponseAsync({ SAMLResponse: input.response });
}
for (let i = 0; i < 100; i++) await validate(); // warm, and proof it validates (a refusal throws)
let done = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
while (performance.now() - started < seconds * 1000) {
  await validate();
  done += 1;
}
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(JSON.stringify({ operations: done, seconds: elapsed, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
