import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, LocalService } from './local-service.ts';

const FILES = new URL('./lemonldap-ng/', import.meta.url).pathname;
const PORTAL_MODULE = '/usr/share/perl5/Lemonldap/NG/Portal/Main.pm';

/** Why the LemonLDAP::NG tests cannot run here (for node:test's `skip`), or false when they can. */
export function lemonLdapNgMissing(): string | false {
  if (!existsSync(PORTAL_MODULE)) return 'lemonldap-ng not installed (bash test/peers/debian/install.sh)';
  if (!existsSync('/usr/bin/plackup')) return 'lemonldap-ng not installed: libplack-perl is missing (bash test/peers/debian/install.sh)';
  return false;
}

/** LemonLDAP::NG's Demo authentication backend's users (login = password). */
export const LEMONLDAP_USERS = {
  dwho: { username: 'dwho', password: 'dwho', email: 'dwho@badwolf.org', name: 'Doctor Who' },
  rtyler: { username: 'rtyler', password: 'rtyler', email: 'rtyler@badwolf.org', name: 'Rose Tyler' },
} as const;

export type LemonLdapClient = { clientId: string; clientSecret: string; redirectUri: string; postLogoutRedirectUri: string };

/**
 * Debian's LemonLDAP::NG 2.16 portal as an OpenID Provider (and a SAML IdP when given SP
 * metadata), run by plackup on a loopback port from test/peers/debian/lemonldap-ng/ (lmConf-1.json and lemonldap-ng.ini, their
 * __PLACEHOLDERS__ filled in a scratch directory: the portal's own address, the clients
 * registered for Frontdoor, a signing key made for this run). Its address uses the name
 * `localhost` (LemonLDAP::NG's cookie needs a domain name; Frontdoor's is 127.0.0.1).
 */
export class LemonLdapNg {
  readonly portalUrl: string;
  /** The OpenID Provider's issuer: the portal's URL, with its trailing slash. */
  readonly issuer: string;
  readonly #service: LocalService;

  private constructor(portalUrl: string, service: LocalService) {
    this.portalUrl = portalUrl;
    this.issuer = portalUrl;
    this.#service = service;
  }

  /** The SAML IdP's metadata (and entity id), when started with service providers. */
  get samlMetadataUrl(): string {
    return LemonLdapNg.samlMetadataUrlAt(this.portalUrl);
  }

  static samlMetadataUrlAt(portalUrl: string): string {
    return `${portalUrl}saml/metadata`;
  }

  /** The portal's address on a port (`start({ port })`): a SAML SP must be set up before the IdP that trusts it starts. */
  static portalUrlAt(port: number): string {
    return `http://localhost:${port}/`;
  }

  /**
   * Starts the portal with these OpenID Connect relying parties, each registered as
   * lmConf-1.json's `frontdoor` one is; and, given `samlServiceProviders` (SP metadata
   * documents), as a SAML IdP too (saml-idp.json, its `frontdoor` SP cloned for each).
   */
  static async start(clients: LemonLdapClient[], options: { samlServiceProviders?: string[]; port?: number } = {}): Promise<LemonLdapNg> {
    const service = new LocalService('lemonldap-ng');
    try {
      const state = service.stateDir;
      for (const dir of ['conf', 'sessions/lock', 'psessions/lock', 'cache']) mkdirSync(join(state, dir), { recursive: true });
      const port = options.port ?? (await freeLoopbackPort());
      const portalUrl = LemonLdapNg.portalUrlAt(port);
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const fill = (text: string) => text
        .replaceAll('__PORTAL_URL__', portalUrl)
        .replaceAll('__PORTAL_HOST__', 'localhost')
        .replaceAll('__STATE_DIR__', state);
      const template = fill(readFileSync(join(FILES, 'lmConf-1.json'), 'utf8'));
      const conf = JSON.parse(template) as Record<string, Record<string, unknown>>;
      const rp = (json: string, client: LemonLdapClient) => JSON.parse(json
        .replaceAll('__CLIENT_ID__', client.clientId)
        .replaceAll('__CLIENT_SECRET__', client.clientSecret)
        .replaceAll('__REDIRECT_URI__', client.redirectUri)
        .replaceAll('__POST_LOGOUT_REDIRECT_URI__', client.postLogoutRedirectUri)) as unknown;
      const rpOptions = JSON.stringify(conf.oidcRPMetaDataOptions!.frontdoor);
      const exported = JSON.stringify(conf.oidcRPMetaDataExportedVars!.frontdoor);
      conf.oidcRPMetaDataOptions = Object.fromEntries(clients.map((c, i) => [`frontdoor${i}`, rp(rpOptions, c)]));
      conf.oidcRPMetaDataExportedVars = Object.fromEntries(clients.map((c, i) => [`frontdoor${i}`, rp(exported, c)]));
      const settings = conf as unknown as Record<string, unknown>;
      settings.oidcServicePrivateKeySig = privateKey.export({ type: 'pkcs8', format: 'pem' });
      settings.oidcServicePublicKeySig = publicKey.export({ type: 'spki', format: 'pem' });
      if (options.samlServiceProviders?.length) Object.assign(settings, samlIdpSettings(state, options.samlServiceProviders));
      writeFileSync(join(state, 'conf', 'lmConf-1.json'), JSON.stringify(conf, null, 1));
      writeFileSync(join(state, 'lemonldap-ng.ini'), fill(readFileSync(join(FILES, 'lemonldap-ng.ini'), 'utf8')));
      service.start('plackup', ['-s', 'HTTP::Server::PSGI', '--host', '127.0.0.1', '--port', String(port), join(FILES, 'portal.psgi')], {
        LLNG_DEFAULTCONFFILE: join(state, 'lemonldap-ng.ini'),
      });
      const idp = new LemonLdapNg(portalUrl, service);
      await service.waitUntilAnswering(`${portalUrl}.well-known/openid-configuration`);
      return idp;
    } catch (error) {
      await service.stop();
      throw error;
    }
  }

  log(): string {
    return this.#service.log();
  }

  close(): Promise<void> {
    return this.#service.stop();
  }
}

/** saml-idp.json with a signing key and certificate made for this run and one SP per metadata document. */
function samlIdpSettings(state: string, serviceProviders: string[]): Record<string, unknown> {
  const keyFile = join(state, 'saml.key');
  const certificateFile = join(state, 'saml.crt');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '7', '-subj', '/CN=lemonldap-ng.localhost', '-keyout', keyFile, '-out', certificateFile,
  ], { stdio: 'ignore' });
  const settings = JSON.parse(readFileSync(join(FILES, 'saml-idp.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  settings.samlServicePrivateKeySig = readFileSync(keyFile, 'utf8') as never;
  settings.samlServicePublicKeySig = readFileSync(certificateFile, 'utf8') as never;
  for (const container of ['samlSPMetaDataXML', 'samlSPMetaDataOptions', 'samlSPMetaDataExportedAttributes']) {
    const template = JSON.stringify(settings[container]!.frontdoor);
    settings[container] = Object.fromEntries(serviceProviders.map((metadata, i) => {
      const entry = JSON.parse(template) as Record<string, unknown>;
      if (container === 'samlSPMetaDataXML') entry.samlSPMetaDataXML = metadata;
      return [`frontdoor${i}`, entry];
    }));
  }
  return settings;
}
