import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { inflateRawSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { certificateBody, generateKeyPair, type KeyPair } from '../../../src/protocols/saml/sp-keys.ts';
import { parseIdpMetadata } from '../../../src/protocols/saml/idp-metadata.ts';
import { profileFromAssertion } from '../../../src/protocols/saml/profile.ts';
import { samlUrlsFor } from '../../../src/protocols/saml/settings.ts';
import { APP_CATALOG } from '../../../src/protocols/registry.ts';
import type { VerifiedAssertion } from '../../../src/protocols/saml/acs.ts';
import { failureOf, postToAcs } from '../../helpers/saml.ts';
import { startTestServer, type TestClient, type TestServer } from '../../helpers/server.ts';
import { VENDOR_PROFILES, vendorMetadata, vendorResponse, type VendorPerson } from '../../peers/saml-vendor-idp.ts';

// Each vendor's response shape (test/peers/saml-vendor-idp.ts: XML declaration, namespace
// prefixes, what is signed, NameID format, attribute names) signs in through the real ACS of
// the preset an admin picks for it (docs/SAML.md setup guides), with its metadata (XML
// declaration included) pasted, and without any attribute mapping by hand: the email, name and
// groups land in the account.

const cli = { type: 'cli' } as const;

async function whoAmI(browser: TestClient) {
  const response = await browser.get('/api/v1/session?audience=users');
  return response.status === 200 ? (response.json.person as { id: string; name: string; email: string }) : undefined;
}

describe('vendor SAML shapes (Okta, OneLogin, Entra, Google Workspace, AD FS) through the ACS of their preset', () => {
  let server: TestServer;
  let idpKeys: KeyPair;
  // The vendors' metadata URLs, on loopback: each document starts with its XML declaration.
  const published = new Map<string, string>();
  const metadataServer = createServer((request, response) => {
    const body = published.get(request.url ?? '');
    if (body) response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(body);
    else response.writeHead(404).end();
  });
  before(async () => {
    server = await startTestServer();
    idpKeys = await generateKeyPair('Vendor IdP');
    await new Promise<void>((resolve) => metadataServer.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => metadataServer.close(() => resolve()));
  });

  for (const [index, profile] of Object.values(VENDOR_PROFILES).entries()) {
    const byUrl = index % 2 === 0;
    it(`${profile.vendor}, metadata ${byUrl ? 'from a URL' : 'pasted'}: ${profile.signs === 'both' ? 'response and assertion' : profile.signs} signed, ${profile.protocolPrefix}:/${profile.assertionPrefix || '(default namespace)'}${profile.encrypts ? ', encrypted' : ''}, as the ${profile.app.type} preset`, async () => {
      const ssoUrl = 'https://idp.example.com/sso';
      const metadata = vendorMetadata(profile, certificateBody(idpKeys.certificate), ssoUrl);
      assert.match(metadata, /^<\?xml /, 'the metadata starts with an XML declaration');
      assert.equal(parseIdpMetadata(metadata, new Date()).entityId, profile.issuer);
      // The preset's short values name a metadata URL on the vendor's host; here the same
      // metadata comes from loopback or is pasted (there is no network), the rest of the
      // preset as the guide says.
      const { domain: _domain, tenant: _tenant, appId: _appId, ...presetConfig } = profile.app.config as Record<string, unknown>;
      published.set(`/${profile.vendor}/metadata`, metadata);
      const source = byUrl
        ? { idpMetadataUrl: `http://127.0.0.1:${(metadataServer.address() as { port: number }).port}/${profile.vendor}/metadata` }
        : { idpMetadataXml: metadata };
      const app = await server.services.apps.create(
        { audience: 'users', type: profile.app.type, slug: `vendor-${profile.vendor}`, name: profile.vendor, showButton: true, sso: 'disabled', config: { ...presetConfig, ...source } },
        cli,
      );
      const spCertificate = (app.config as { spCertificate: string }).spCertificate;
      const sp = samlUrlsFor(app, server.services.config.publicUrl);

      const browser = server.client();
      const start = await browser.get(`/sso/${app.slug}/start`);
      assert.equal(start.status, 302, start.text);
      const location = new URL(start.location!);
      assert.equal(`${location.origin}${location.pathname}`, ssoUrl);
      const request = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
      const requestId = /ID="([^"]+)"/.exec(request)![1]!;

      const person: VendorPerson = { email: `ada.${profile.vendor}@example.com`, firstName: 'Ada', lastName: 'Lovelace', groups: ['Support', 'Admins'] };
      const xml = await vendorResponse(profile, { idp: idpKeys, spCertificate }, sp, person, { inResponseTo: requestId, now: new Date() });
      if (profile.declaration) assert.ok(xml.startsWith(profile.declaration), 'the response starts with the vendor\'s XML declaration');
      assert.match(xml, new RegExp(`<${profile.protocolPrefix}:Response `));
      const done = await postToAcs(browser, app, { SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: location.searchParams.get('RelayState') ?? undefined });
      assert.equal(done.status, 303, await failureOf(server, done));
      const me = await whoAmI(browser);
      assert.equal(me?.email, person.email, 'the email, from the vendor\'s attribute name');
      assert.equal(me?.name, 'Ada Lovelace', 'the name, from the vendor\'s given name and surname');
      const [identity] = await server.services.db.query<{ subject: string }>('SELECT subject FROM identities WHERE app_id = $1', [app.id]);
      assert.equal(identity?.subject, `${profile.issuer} ${person.email}`);
    });
  }

  it('each vendor\'s attribute names map to email, name and groups with the preset\'s defaults (no attributes configured)', () => {
    const person: VendorPerson = { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', groups: ['Support'] };
    for (const profile of Object.values(VENDOR_PROFILES)) {
      const config = APP_CATALOG.schemaFor(profile.app.type, { ...profile.app.config, idpMetadataXml: '<x/>' }).parse({ ...profile.app.config, idpMetadataXml: '<x/>' }) as never;
      const assertion = { issuer: profile.issuer, nameId: person.email, nameIdFormat: profile.nameIdFormat, attributes: Object.fromEntries(profile.attributes(person)) } as unknown as VerifiedAssertion;
      const mapped = profileFromAssertion(config, assertion);
      assert.deepEqual({ email: mapped.email, name: mapped.name, groups: mapped.groups }, { email: person.email, name: 'Grace Hopper', groups: ['Support'] }, profile.vendor);
    }
  });
});
