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
    checks.push(ssoUrl ? await reachability('sso_url', ssoUrl) : { name: 'sso_url', ok: false, detail: 'the identity service has no single sign-on address' });
    checks.push(idp.sloRedirectUrl ? await reachability('slo_url', idp.sloRedirectUrl) : {
      name: 'slo_url', ok: true,
      detail: config.logoutUrl ? `no single logout; sign-out goes to ${config.logoutUrl}` : 'no single logout; sign-out ends here',
    });
  }
  const privateKey = typeof secrets.spPrivateKey === 'string' ? secrets.spPrivateKey : undefined;
  const spKeyOk = Boolean(privateKey && config.spCertificate && keyMatchesCertificate(privateKey, config.spCertificate));
  const spFacts = config.spCertificate ? certificateFacts(config.spCertificate) : undefined;
  // An expired SP certificate: identity services that check our signatures refuse our requests.
  const spExpired = spFacts !== undefined && Date.parse(spFacts.notAfter) <= now.getTime();
  checks.push({
    name: 'sp_key', ok: spKeyOk && !spExpired,
    detail: spFacts ? `our signing certificate, ${spExpired ? 'EXPIRED on' : 'valid until'} ${spFacts.notAfter}, SHA-256 ${spFacts.sha256}` : 'no SP key',
  });
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

const REACHABILITY_TIMEOUT_MS = 5000;

/**
 * An address of the identity service answers at all: people are sent there, so one that gives
 * no answer (connection refused, unknown host, TLS error, timeout) fails every sign-in. Any HTTP
 * answer counts: without a SAMLRequest an identity service may well answer 400.
 */
async function reachability(name: string, url: string): Promise<DiagnosticCheck> {
  try {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(REACHABILITY_TIMEOUT_MS) });
    await response.body?.cancel();
    return { name, ok: true, detail: `${url} answers (HTTP ${response.status})` };
  } catch (error) {
    return { name, ok: false, detail: `${url} gives no answer: ${whyUnreachable(error)}` };
  }
}

function whyUnreachable(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${REACHABILITY_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'unknown host';
  if (cause?.code && /CERT|SSL|TLS/.test(cause.code)) return `TLS error (${cause.code})`;
  return cause?.message ?? (error as Error).message;
}
