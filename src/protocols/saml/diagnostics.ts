import type { AuthApp } from '../../core/apps.ts';
import type { DiagnosticCheck } from '../oidc/diagnostics.ts';
import type { IdpDescriptor, IdpMetadataCache } from './idp-metadata.ts';
import { certificateFacts, keyMatchesCertificate } from './sp-keys.ts';
import { presetMetadataUrl, samlConfigOf, samlUrlsFor } from './settings.ts';

// Admins are warned this long before a certificate or the metadata's validUntil runs out.
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The admin's "Test" button for a SAML app: metadata (fetched now, not from cache), the
 * identity service's signing certificates and their expiry, its endpoints, our own key, and
 * the values to copy into the identity service.
 */
export async function diagnoseSamlApp(cache: IdpMetadataCache, app: AuthApp, secrets: Record<string, unknown>, publicUrl: URL, now: Date) {
  const checks: DiagnosticCheck[] = [];
  const config = samlConfigOf(app);
  const sp = samlUrlsFor(app, publicUrl);
  const warnings: string[] = [];
  const soon = (iso: string) => Date.parse(iso) - now.getTime() < EXPIRY_WARNING_DAYS * DAY_MS;
  cache.forget(app.id);
  let idp: IdpDescriptor | undefined;
  try {
    idp = await cache.forApp(app, now);
    const from = idp.source === 'url' ? `fetched from ${config.idpMetadataUrl ?? presetMetadataUrl(app)}` : idp.source === 'xml' ? 'pasted metadata' : 'the fields entered';
    checks.push({ name: 'metadata', ok: true, detail: `identity service ${idp.entityId}, from ${from}` });
    if (idp.validUntil) {
      if (soon(idp.validUntil)) warnings.push(`The metadata is valid only until ${idp.validUntil}: ask the identity service for fresh metadata.`);
      checks.push({ name: 'metadata_valid_until', ok: true, detail: `valid until ${idp.validUntil}` });
    }
  } catch (error) {
    checks.push({ name: 'metadata', ok: false, detail: (error as Error).message });
  }
  if (idp) {
    for (const [index, cert] of idp.signingCertificates.entries()) {
      const facts = certificateFacts(cert);
      checks.push({
        name: `idp_certificate_${index + 1}`,
        ok: Date.parse(facts.notAfter) > now.getTime(),
        detail: `${facts.subject}, valid until ${facts.notAfter}, SHA-256 ${facts.sha256}`,
      });
      if (soon(facts.notAfter)) warnings.push(`The identity service's signing certificate ${facts.sha256.slice(0, 16)}… expires on ${facts.notAfter}.`);
    }
    const ssoUrl = config.authnRequestBinding === 'post' ? idp.ssoPostUrl ?? idp.ssoRedirectUrl : idp.ssoRedirectUrl ?? idp.ssoPostUrl;
    checks.push({ name: 'sso_url', ok: Boolean(ssoUrl), detail: ssoUrl ?? 'the identity service has no single sign-on address' });
    checks.push({
      name: 'slo_url', ok: true,
      detail: idp.sloRedirectUrl ?? (config.logoutUrl ? `no single logout; sign-out goes to ${config.logoutUrl}` : 'no single logout; sign-out ends here'),
    });
  }
  const privateKey = typeof secrets.spPrivateKey === 'string' ? secrets.spPrivateKey : undefined;
  const spKeyOk = Boolean(privateKey && config.spCertificate && keyMatchesCertificate(privateKey, config.spCertificate));
  const spFacts = config.spCertificate ? certificateFacts(config.spCertificate) : undefined;
  checks.push({ name: 'sp_key', ok: spKeyOk, detail: spFacts ? `our signing certificate, valid until ${spFacts.notAfter}, SHA-256 ${spFacts.sha256}` : 'no SP key' });
  if (spFacts && soon(spFacts.notAfter)) warnings.push(`Our SP certificate expires on ${spFacts.notAfter}: rotate it (POST /api/v1/apps/${app.slug}/saml/sp-keys).`);
  return {
    checks,
    warnings,
    sp: {
      entityId: sp.entityId,
      acsUrl: sp.acsUrl,
      acsBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      sloUrl: sp.sloUrl,
      metadataUrl: sp.metadataUrl,
      nameIdFormat: config.nameIdFormat,
      certificate: config.spCertificate,
      ...(config.spNextCertificate ? { nextCertificate: config.spNextCertificate } : {}),
    },
  };
}
