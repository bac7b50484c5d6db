import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { certificateFacts, certificateToPem } from './sp-keys.ts';
import { presetMetadataUrl, samlConfigOf, type SamlAppConfig } from './settings.ts';
import { NS, child, children, decodeXmlBytes, elements, parseUntrustedXml, textOnly } from './xml.ts';

const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** What we need to know about an identity service, from its metadata or the admin's fields. */
export type IdpDescriptor = {
  entityId: string;
  ssoRedirectUrl: string | undefined;
  ssoPostUrl: string | undefined;
  sloRedirectUrl: string | undefined;
  sloPostUrl: string | undefined;
  /** PEM certificates whose keys may sign responses (several during a rollover). */
  signingCertificates: string[];
  validUntil: string | undefined;
  source: 'url' | 'xml' | 'fields';
  fetchedAt: string | undefined;
};

const MAX_METADATA_BYTES = 1_000_000;
const FETCH_TIMEOUT_MS = 10_000;

/**
 * Reads IdP metadata (an EntityDescriptor, or an EntitiesDescriptor holding exactly one
 * identity provider). Expired metadata (validUntil in the past) is refused: an identity
 * service that stopped publishing must not be trusted on stale keys forever.
 */
export function parseIdpMetadata(xml: string, now: Date): Omit<IdpDescriptor, 'source' | 'fetchedAt'> {
  let doc: Document;
  try {
    doc = parseUntrustedXml(xml, MAX_METADATA_BYTES);
  } catch (error) {
    throw new FrontdoorError('sso.saml.metadata_invalid', `The identity service metadata cannot be read: ${(error as Error).message}`, { check: 'metadata_parse' });
  }
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.metadata || !['EntityDescriptor', 'EntitiesDescriptor'].includes(root.localName)) {
    throw new FrontdoorError('sso.saml.metadata_invalid', 'The identity service metadata is not SAML 2.0 metadata (no EntityDescriptor).', { check: 'metadata_root' });
  }
  const entities = root.localName === 'EntityDescriptor' ? [root] : elements(root, NS.metadata, 'EntityDescriptor');
  const idps = entities.filter((e) => children(e, NS.metadata, 'IDPSSODescriptor').length > 0);
  if (idps.length !== 1) {
    throw new FrontdoorError('sso.saml.metadata_invalid', `The metadata must describe exactly one identity provider (found ${idps.length}).`, { check: 'metadata_idp' });
  }
  const entity = idps[0]!;
  const validUntil = earliest([root.getAttribute('validUntil'), entity.getAttribute('validUntil')]);
  if (validUntil && Date.parse(validUntil) <= now.getTime()) {
    throw new FrontdoorError('sso.saml.metadata_invalid', `The identity service metadata expired at ${validUntil}.`, { check: 'metadata_expired' });
  }
  const descriptor = child(entity, NS.metadata, 'IDPSSODescriptor')!;
  // Only web addresses: a browser is sent there (and a POST form targets it).
  const endpoint = (name: string, binding: string) => {
    const location = children(descriptor, NS.metadata, name).find((e) => e.getAttribute('Binding') === binding)?.getAttribute('Location');
    return location && isWebAddress(location) ? location : undefined;
  };
  const signingCertificates: string[] = [];
  for (const key of children(descriptor, NS.metadata, 'KeyDescriptor')) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const certElement of elements(key, NS.dsig, 'X509Certificate')) {
      const text = textOnly(certElement);
      if (!text?.trim()) continue;
      try {
        certificateFacts(text);
      } catch {
        throw new FrontdoorError('sso.saml.metadata_invalid', 'A signing certificate in the metadata cannot be read.', { check: 'metadata_certificate' });
      }
      signingCertificates.push(certificateToPem(text));
    }
  }
  const entityId = entity.getAttribute('entityID');
  if (!entityId) throw new FrontdoorError('sso.saml.metadata_invalid', 'The metadata has no entityID.', { check: 'metadata_entity_id' });
  return {
    entityId,
    ssoRedirectUrl: endpoint('SingleSignOnService', BINDING_REDIRECT),
    ssoPostUrl: endpoint('SingleSignOnService', BINDING_POST),
    sloRedirectUrl: endpoint('SingleLogoutService', BINDING_REDIRECT),
    sloPostUrl: endpoint('SingleLogoutService', BINDING_POST),
    signingCertificates: [...new Set(signingCertificates)],
    validUntil,
  };
}

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

function earliest(values: (string | null)[]): string | undefined {
  const times = values.filter((v): v is string => Boolean(v) && !Number.isNaN(Date.parse(v!)));
  times.sort((a, b) => Date.parse(a) - Date.parse(b));
  return times[0];
}

type Cached = { key: string; fetchedAt: number; descriptor: Promise<IdpDescriptor> };

/**
 * The identity service of each SAML app: from its metadata URL (fetched, cached, refetched
 * every `metadataRefreshHours` and at most once a minute on a signature failure), pasted
 * metadata, or fields. Fields given next to metadata override it; configured certificates
 * are added to the metadata's; a fingerprint pins which certificates are trusted.
 */
export class IdpMetadataCache {
  readonly #cache = new Map<string, Cached>();
  readonly #fetch: typeof fetch;

  constructor(fetcher: typeof fetch = fetch) {
    this.#fetch = fetcher;
  }

  async forApp(app: AuthApp, now: Date, options: { refresh?: boolean } = {}): Promise<IdpDescriptor> {
    const config = samlConfigOf(app);
    const metadataUrl = config.idpMetadataUrl ?? presetMetadataUrl(app);
    if (!metadataUrl) return this.#combine(config, config.idpMetadataXml ? { ...parseIdpMetadata(config.idpMetadataXml, now), source: 'xml', fetchedAt: undefined } : undefined, now);
    const key = `${app.updatedAt}|${metadataUrl}`;
    const cached = this.#cache.get(app.id);
    const age = cached ? now.getTime() - cached.fetchedAt : Infinity;
    const fresh = cached && cached.key === key && age < config.metadataRefreshHours * 3600_000 && !(options.refresh && age > 60_000);
    if (fresh) {
      const descriptor = await cached.descriptor;
      // Cached metadata that has since expired is refetched rather than trusted.
      if (!descriptor.validUntil || Date.parse(descriptor.validUntil) > now.getTime()) return descriptor;
    }
    // A refetch that fails (the IdP's metadata endpoint is briefly down) keeps the last good
    // metadata of the same configuration while it has not expired, rather than stopping all sign-ins.
    const lastGood = cached && cached.key === key ? await cached.descriptor.catch(() => undefined) : undefined;
    const descriptor = this.#fetchMetadata(metadataUrl, now)
      .then((metadata) => this.#combine(config, metadata, now))
      .catch((error: unknown) => {
        if (lastGood && (!lastGood.validUntil || Date.parse(lastGood.validUntil) > now.getTime())) return lastGood;
        throw error;
      });
    this.#cache.set(app.id, { key, fetchedAt: now.getTime(), descriptor });
    descriptor.catch(() => this.#cache.delete(app.id));
    return descriptor;
  }

  forget(appId: string): void {
    this.#cache.delete(appId);
  }

  async #fetchMetadata(url: string, now: Date): Promise<IdpDescriptor> {
    let bytes: Uint8Array;
    let charset: string | undefined;
    try {
      const response = await this.#fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > MAX_METADATA_BYTES) throw new Error('metadata too large');
      charset = /;\s*charset="?([^";\s]+)/i.exec(response.headers.get('content-type') ?? '')?.[1];
      bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length > MAX_METADATA_BYTES) throw new Error('metadata too large');
    } catch (error) {
      throw new FrontdoorError('sso.saml.metadata_invalid', `The identity service metadata could not be fetched from ${url}: ${(error as Error).message}`, { check: 'metadata_fetch' });
    }
    // In the encoding a byte order mark, the Content-Type charset or the XML declaration names
    // (SimpleSAMLphp and LemonLDAP::NG start with one), in that order (RFC 7303 section 3.2).
    let text: string;
    try {
      text = decodeXmlBytes(bytes, charset);
    } catch (error) {
      throw new FrontdoorError('sso.saml.metadata_invalid', `The identity service metadata cannot be read: ${(error as Error).message}`, { check: 'metadata_parse' });
    }
    return { ...parseIdpMetadata(text, now), source: 'url', fetchedAt: now.toISOString() };
  }

  #combine(config: SamlAppConfig, metadata: IdpDescriptor | undefined, now: Date): IdpDescriptor {
    const configured = [config.idpCertificate, ...config.idpCertificates].filter((c): c is string => Boolean(c)).map(certificateToPem);
    let certificates = [...new Set([...configured, ...(metadata?.signingCertificates ?? [])])];
    if (config.idpCertificateFingerprint) {
      const pin = config.idpCertificateFingerprint;
      certificates = certificates.filter((c) => {
        const facts = certificateFacts(c);
        return facts.sha256 === pin || facts.sha1 === pin;
      });
    }
    // Expired certificates are dropped: a key past its certificate's end is not to be trusted.
    certificates = certificates.filter((c) => Date.parse(certificateFacts(c).notAfter) > now.getTime());
    const entityId = config.idpEntityId ?? metadata?.entityId;
    if (!entityId) throw new FrontdoorError('sso.saml.metadata_invalid', 'The identity service entity id is unknown.', { check: 'idp_entity_id' });
    if (certificates.length === 0) {
      throw new FrontdoorError('sso.saml.metadata_invalid', 'No valid signing certificate for the identity service (none given, all expired, or none matches the fingerprint).', { check: 'idp_certificate' });
    }
    return {
      entityId,
      ssoRedirectUrl: config.idpSsoUrl ?? metadata?.ssoRedirectUrl,
      ssoPostUrl: config.idpSsoUrl ?? metadata?.ssoPostUrl,
      sloRedirectUrl: config.idpSloUrl ?? metadata?.sloRedirectUrl,
      sloPostUrl: config.idpSloUrl ?? metadata?.sloPostUrl,
      signingCertificates: certificates,
      validUntil: metadata?.validUntil,
      source: metadata?.source ?? 'fields',
      fetchedAt: metadata?.fetchedAt,
    };
  }
}
