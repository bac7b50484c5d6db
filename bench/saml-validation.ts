import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { SAML_CONFIG_SCHEMAS } from '../src/protocols/saml/config.ts';
import { consumeSamlResponse } from '../src/protocols/saml/acs.ts';
import { parseIdpMetadata, type IdpDescriptor } from '../src/protocols/saml/idp-metadata.ts';
import { samlUrlsFor, type SamlAppConfig, type SpKeys } from '../src/protocols/saml/settings.ts';
import { generateKeyPair } from '../src/protocols/saml/sp-keys.ts';
import { spMetadataXml } from '../src/protocols/saml/sp-metadata.ts';
import { SamlIdp } from '../test/peers/saml-idp.ts';

// A CPU-time microbenchmark of SAML response validation alone, in one process: Frontdoor's
// consumeSamlResponse (every check of src/protocols/saml/acs.ts, no HTTP, no database) against
// node-saml's own validatePostResponseAsync on the very same response (the floor that
// bench/scenarios/saml-acs.ts uses). CPU time (process.cpuUsage, user + system) rather than
// wall-clock time, so other work on the machine disturbs it less; the two are measured in
// turn, three rounds, and the median of each is printed.
//
//   ./node_modules/.bin/node bench/saml-validation.ts [CPU seconds per measurement, default 2]

const seconds = Number(process.argv[2] ?? 2);
const ROUNDS = 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** CPU microseconds per call of `run`, over about `seconds` of CPU time, after a warm-up. */
async function cpuPerCall(run: () => Promise<unknown>): Promise<{ microseconds: number; calls: number }> {
  for (let i = 0; i < 200; i++) await run();
  const start = process.cpuUsage();
  let calls = 0;
  let used = 0;
  while (used < seconds * 1e6) {
    for (let i = 0; i < 50; i++) await run();
    calls += 50;
    const now = process.cpuUsage(start);
    used = now.user + now.system;
  }
  return { microseconds: used / calls, calls };
}

const idp = await SamlIdp.start();
const encryptingIdp = await SamlIdp.start({ encryptAssertions: true, keys: idp.keys });
try {
  const spKeyPair = await generateKeyPair('Bench SP');
  const config = SAML_CONFIG_SCHEMAS.saml.parse({ idpMetadataUrl: idp.metadataUrl });
  const urls = samlUrlsFor({ slug: 'bench-saml' }, new URL('http://localhost:8080'));
  const keys: SpKeys = { current: spKeyPair, decryption: [spKeyPair.privateKey], published: [spKeyPair.certificate] };
  const spMetadata = spMetadataXml(config, urls, keys.published);
  // One descriptor object per IdP for the whole run, as the metadata cache hands out for a URL source.
  const descriptorOf = (peer: SamlIdp): IdpDescriptor => ({ ...parseIdpMetadata(peer.metadataXml, new Date()), source: 'url', fetchedAt: new Date().toISOString() });
  const plain = descriptorOf(idp);
  const encrypting = descriptorOf(encryptingIdp);
  const user = { nameId: 'bench@example.com', email: 'bench@example.com', firstName: 'Bench', lastName: 'Mark' };

  const cases: { name: string; response: string; idp: IdpDescriptor }[] = [
    // What the IdP of bench/scenarios/saml-acs.ts sends: the assertion and the response signed.
    { name: 'assertion and response signed', response: await idp.createResponse(idp.spFrom(spMetadata, { signResponse: true }), user, { inResponseTo: '_bench' }), idp: plain },
    { name: 'assertion signed only', response: await idp.createResponse(idp.spFrom(spMetadata, { signResponse: false }), user, { inResponseTo: '_bench' }), idp: plain },
    {
      name: 'encrypted assertion, signed inside',
      response: await encryptingIdp.createResponse(encryptingIdp.spFrom(spMetadata, { signResponse: false }), user, { inResponseTo: '_bench' }),
      idp: encrypting,
    },
  ];

  console.log(`SAML response validation, CPU time per validation (user + system), ${seconds} s of CPU per figure, one process\n`);
  for (const c of cases) {
    const ours = () => consumeSamlResponse({ samlResponse: c.response, config, idp: c.idp, sp: urls, keys, now: new Date() });
    const verified = await ours(); // proof it validates
    if (verified.nameId !== user.nameId) throw new Error('unexpected NameID');
    const saml = new SAML({
      issuer: urls.entityId, audience: urls.entityId, callbackUrl: urls.acsUrl, idpCert: idp.keys.certificate, idpIssuer: c.idp.entityId,
      wantAssertionsSigned: true, wantAuthnResponseSigned: false, validateInResponseTo: ValidateInResponseTo.never, acceptedClockSkewMs: 60_000,
      decryptionPvk: spKeyPair.privateKey,
    });
    const floor = () => saml.validatePostResponseAsync({ SAMLResponse: c.response });
    await floor();
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      a.push((await cpuPerCall(ours)).microseconds);
      b.push((await cpuPerCall(floor)).microseconds);
    }
    const [ourMedian, floorMedian] = [median(a), median(b)];
    const rounds = (values: number[]) => values.map((v) => (v / 1000).toFixed(3)).join(', ');
    console.log(`${c.name} (${Buffer.from(c.response, 'base64').length} bytes of XML)`);
    console.log(`  Frontdoor consumeSamlResponse         ${(ourMedian / 1000).toFixed(3)} ms CPU  (${Math.round(1e6 / ourMedian)} /CPU-s; rounds ${rounds(a)})`);
    console.log(`  node-saml validatePostResponseAsync   ${(floorMedian / 1000).toFixed(3)} ms CPU  (${Math.round(1e6 / floorMedian)} /CPU-s; rounds ${rounds(b)})`);
    console.log(`  ratio (validations per CPU-second, Frontdoor / node-saml): ${(floorMedian / ourMedian).toFixed(2)}x\n`);
  }
} finally {
  await idp.close();
  await encryptingIdp.close();
}
