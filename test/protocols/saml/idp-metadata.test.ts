import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import { before, describe, it } from 'node:test';
import type { AuthApp } from '../../../src/core/apps.ts';
import { SAML_CONFIG_SCHEMAS } from '../../../src/protocols/saml/config.ts';
import { IdpMetadataCache, parseIdpMetadata } from '../../../src/protocols/saml/idp-metadata.ts';
import { presetMetadataUrl } from '../../../src/protocols/saml/settings.ts';
import { certificateBody, certificateFacts, generateKeyPair, keyMatchesCertificate, type KeyPair } from '../../../src/protocols/saml/sp-keys.ts';
import { rejectsWithCode } from '../../helpers/assertions.ts';

const now = new Date();

function metadata(certs: string[], options: { validUntil?: string; wrap?: boolean; entityId?: string } = {}): string {
  const keys = certs.map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join('');
  const entity =
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${options.entityId ?? 'https://idp.example.com/entity'}"${options.validUntil ? ` validUntil="${options.validUntil}"` : ''}>` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso/redirect"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/post"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`;
  return options.wrap ? `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${entity}<md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor></md:EntitiesDescriptor>` : entity;
}

function samlApp(config: Record<string, unknown>): AuthApp {
  const parsed = SAML_CONFIG_SCHEMAS.saml.parse(config);
  return { id: '00000000-0000-4000-8000-000000000001', slug: 's', audience: 'users', type: 'saml', name: 'S', enabled: true, sso: 'disabled', showButton: true, displayOrder: 0, config: parsed, secretsSet: [], lastTestSucceededAt: null, createdAt: now.toISOString(), updatedAt: now.toISOString() };
}

describe('SAML keys and IdP metadata', () => {
  let a: KeyPair;
  let b: KeyPair;
  before(async () => {
    [a, b] = await Promise.all([generateKeyPair('IdP key A'), generateKeyPair('IdP key B')]);
  });

  it('generates a self-signed certificate that node:crypto reads and that matches its key', () => {
    const cert = new X509Certificate(a.certificate);
    assert.equal(cert.subject, 'CN=IdP key A');
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.ok(Date.parse(cert.validTo) > now.getTime() + 9 * 365 * 86_400_000);
    assert.ok(keyMatchesCertificate(a.privateKey, a.certificate));
    assert.equal(keyMatchesCertificate(a.privateKey, b.certificate), false);
  });

  it('reads entity id, endpoints by binding and every signing certificate (rollover)', () => {
    const parsed = parseIdpMetadata(metadata([a.certificate, b.certificate]), now);
    assert.equal(parsed.entityId, 'https://idp.example.com/entity');
    assert.equal(parsed.ssoRedirectUrl, 'https://idp.example.com/sso/redirect');
    assert.equal(parsed.ssoPostUrl, 'https://idp.example.com/sso/post');
    assert.equal(parsed.sloRedirectUrl, 'https://idp.example.com/slo');
    assert.equal(parsed.signingCertificates.length, 2);
  });

  it('builds the metadata URL of each preset in SAML mode from its short values', () => {
    const config = (type: string, c: Record<string, unknown>) => ({ type, config: c }) as Pick<AuthApp, 'type' | 'config'>;
    assert.equal(presetMetadataUrl(config('okta', { domain: 'acme.okta.com', appId: '0oa1b2c3' })), 'https://acme.okta.com/app/0oa1b2c3/sso/saml/metadata');
    assert.equal(presetMetadataUrl(config('onelogin', { domain: 'acme.onelogin.com', appId: '123456' })), 'https://acme.onelogin.com/saml/metadata/123456');
    assert.equal(
      presetMetadataUrl(config('microsoft', { tenant: 'contoso.onmicrosoft.com', appId: '11111111-2222-4333-8444-555555555555' })),
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/federationmetadata/2007-06/federationmetadata.xml?appid=11111111-2222-4333-8444-555555555555',
    );
    assert.equal(presetMetadataUrl(config('saml', { domain: 'x.example.com', appId: '1' })), undefined);
  });

  it('ignores endpoints that are not web addresses', () => {
    const hostile = metadata([a.certificate]).replace('https://idp.example.com/sso/post', 'javascript:alert(1)');
    const parsed = parseIdpMetadata(hostile, now);
    assert.equal(parsed.ssoPostUrl, undefined);
    assert.equal(parsed.ssoRedirectUrl, 'https://idp.example.com/sso/redirect');
  });

  it('finds the one identity provider inside an EntitiesDescriptor', () => {
    assert.equal(parseIdpMetadata(metadata([a.certificate], { wrap: true }), now).entityId, 'https://idp.example.com/entity');
  });

  it('reads pasted and fetched metadata that starts with an XML declaration (SimpleSAMLphp, LemonLDAP::NG, Entra)', async () => {
    for (const declaration of ['<?xml version="1.0"?>\n', '<?xml version="1.0" encoding="UTF-8"?>', '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n']) {
      assert.equal(parseIdpMetadata(`${declaration}${metadata([a.certificate])}`, now).entityId, 'https://idp.example.com/entity');
    }
    const bodies = [
      Buffer.from(`<?xml version="1.0"?>\n${metadata([a.certificate])}`),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>${metadata([a.certificate])}`)]),
      Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${metadata([a.certificate], { entityId: 'https://idp.example.com/société' })}`, 'latin1'),
    ];
    let served = bodies[0]!;
    const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(served));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const entityIds = [];
      for (const body of bodies) {
        served = body;
        entityIds.push((await new IdpMetadataCache().forApp(samlApp({ idpMetadataUrl: `http://127.0.0.1:${port}/metadata` }), now)).entityId);
      }
      assert.deepEqual(entityIds, ['https://idp.example.com/entity', 'https://idp.example.com/entity', 'https://idp.example.com/société']);
      served = Buffer.from(`<?xml version="1.0" encoding="x-unknown"?>${metadata([a.certificate])}`);
      await rejectsWithCode(new IdpMetadataCache().forApp(samlApp({ idpMetadataUrl: `http://127.0.0.1:${port}/metadata` }), now), 'sso.saml.metadata_invalid', (e) => assert.equal(e.details?.check, 'metadata_parse'));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses expired metadata, metadata with a DOCTYPE, and documents that are not metadata', async () => {
    const expired = metadata([a.certificate], { validUntil: new Date(now.getTime() - 1000).toISOString() });
    await rejectsWithCode(Promise.resolve().then(() => parseIdpMetadata(expired, now)), 'sso.saml.metadata_invalid', (e) => assert.equal(e.details?.check, 'metadata_expired'));
    await rejectsWithCode(Promise.resolve().then(() => parseIdpMetadata(`<!DOCTYPE x>${metadata([a.certificate])}`, now)), 'sso.saml.metadata_invalid');
    await rejectsWithCode(Promise.resolve().then(() => parseIdpMetadata('<html><body>login</body></html>', now)), 'sso.saml.metadata_invalid', (e) => assert.equal(e.details?.check, 'metadata_root'));
  });

  it('pins certificates by SHA-256 or SHA-1 fingerprint, and adds configured certificates to the metadata\'s', async () => {
    const cache = new IdpMetadataCache();
    const xml = metadata([a.certificate, b.certificate]);
    const bySha256 = await cache.forApp(samlApp({ idpMetadataXml: xml, idpCertificateFingerprint: certificateFacts(b.certificate).sha256 }), now);
    assert.deepEqual(bySha256.signingCertificates.map((c) => certificateFacts(c).sha256), [certificateFacts(b.certificate).sha256]);
    const sha1 = certificateFacts(a.certificate).sha1.toUpperCase().match(/../g)!.join(':');
    const bySha1 = await cache.forApp(samlApp({ idpMetadataXml: xml, idpCertificateFingerprint: sha1 }), now);
    assert.equal(bySha1.signingCertificates.length, 1);
    await rejectsWithCode(cache.forApp(samlApp({ idpMetadataXml: xml, idpCertificateFingerprint: '00'.repeat(32) }), now), 'sso.saml.metadata_invalid');
    const fields = await cache.forApp(samlApp({ idpEntityId: 'https://idp.example.com/e', idpSsoUrl: 'https://idp.example.com/sso', idpCertificate: certificateBody(a.certificate), idpCertificates: [b.certificate] }), now);
    assert.equal(fields.source, 'fields');
    assert.equal(fields.signingCertificates.length, 2);
    assert.equal(fields.ssoRedirectUrl, 'https://idp.example.com/sso');
  });

  it('keeps the last good metadata when a refetch fails, and refuses when there is none', async () => {
    let up = true;
    const served = metadata([a.certificate]);
    const server = createServer((_request, response) => (up ? response.writeHead(200).end(served) : response.writeHead(503).end('down')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const cache = new IdpMetadataCache();
      const app = samlApp({ idpMetadataUrl: `http://127.0.0.1:${port}/metadata`, metadataRefreshHours: 1 });
      assert.equal((await cache.forApp(app, now)).entityId, 'https://idp.example.com/entity');
      up = false;
      const later = new Date(now.getTime() + 2 * 3600_000);
      assert.equal((await cache.forApp(app, later)).entityId, 'https://idp.example.com/entity', 'stale but valid metadata is kept');
      await rejectsWithCode(new IdpMetadataCache().forApp(app, now), 'sso.saml.metadata_invalid', (e) => assert.match(String(e.details?.check), /metadata_fetch/));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
