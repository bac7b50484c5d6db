import type { AuthApp } from '../../core/apps.ts';
import { checkMessage, type CheckValue } from '../../i18n/check-details.ts';
import { diagnosticCheck, type DiagnosticCheck } from '../diagnostic-check.ts';
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
    const from = idp.source === 'url' ? checkMessage('check.saml.fromUrl', { url: String(config.idpMetadataUrl ?? presetMetadataUrl(app)) })
      : checkMessage(idp.source === 'xml' ? 'check.saml.fromXml' : 'check.saml.fromFields');
    checks.push(diagnosticCheck('metadata', true, 'check.saml.metadata', { entityId: idp.entityId, from }));
    if (idp.validUntil) {
      if (soon(idp.validUntil)) warnings.push(`The metadata is valid only until ${idp.validUntil}: ask the identity service for fresh metadata.`);
      checks.push(diagnosticCheck('metadata_valid_until', true, 'check.saml.validUntil', { date: idp.validUntil }));
    }
  } catch (error) {
    checks.push(diagnosticCheck('metadata', false, 'check.cause', { message: (error as Error).message }));
  }
  if (idp) {
    for (const [index, cert] of idp.signingCertificates.entries()) {
      const facts = certificateFacts(cert);
      checks.push(diagnosticCheck(`idp_certificate_${index + 1}`, Date.parse(facts.notAfter) > now.getTime(), 'check.saml.idpCertificate', {
        subject: facts.subject, notAfter: facts.notAfter, sha256: facts.sha256,
      }));
      if (soon(facts.notAfter)) warnings.push(`The identity service's signing certificate ${facts.sha256.slice(0, 16)}… expires on ${facts.notAfter}.`);
    }
    const ssoUrl = config.authnRequestBinding === 'post' ? idp.ssoPostUrl ?? idp.ssoRedirectUrl : idp.ssoRedirectUrl ?? idp.ssoPostUrl;
    checks.push(ssoUrl ? await reachability('sso_url', ssoUrl) : diagnosticCheck('sso_url', false, 'check.saml.noSsoUrl'));
    checks.push(idp.sloRedirectUrl ? await reachability('slo_url', idp.sloRedirectUrl)
      : config.logoutUrl ? diagnosticCheck('slo_url', true, 'check.saml.noSloLogoutUrl', { url: config.logoutUrl })
        : diagnosticCheck('slo_url', true, 'check.saml.noSlo'));
  }
  const privateKey = typeof secrets.spPrivateKey === 'string' ? secrets.spPrivateKey : undefined;
  const spKeyOk = Boolean(privateKey && config.spCertificate && keyMatchesCertificate(privateKey, config.spCertificate));
  const spFacts = config.spCertificate ? certificateFacts(config.spCertificate) : undefined;
  // An expired SP certificate: identity services that check our signatures refuse our requests.
  const spExpired = spFacts !== undefined && Date.parse(spFacts.notAfter) <= now.getTime();
  checks.push(spFacts
    ? diagnosticCheck('sp_key', spKeyOk && !spExpired, 'check.saml.spKey', { expired: spExpired ? 'yes' : 'no', notAfter: spFacts.notAfter, sha256: spFacts.sha256 })
    : diagnosticCheck('sp_key', false, 'check.saml.noSpKey'));
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
    return diagnosticCheck(name, true, 'check.saml.answers', { url, status: response.status });
  } catch (error) {
    return diagnosticCheck(name, false, 'check.saml.noAnswer', { url, cause: whyUnreachable(error) });
  }
}

/** Why the address gave no answer: in words of ours for the usual causes, else the cause as it came. */
function whyUnreachable(error: unknown): CheckValue {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return checkMessage('check.saml.timeout', { seconds: REACHABILITY_TIMEOUT_MS / 1000 });
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED') return checkMessage('check.saml.connectionRefused');
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return checkMessage('check.saml.unknownHost');
  if (cause?.code && /CERT|SSL|TLS/.test(cause.code)) return checkMessage('check.saml.tlsError', { code: cause.code });
  return cause?.message ?? (error as Error).message;
}
