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
 * Debian's LemonLDAP::NG 2.16 portal as an OpenID Provider, run by plackup on a loopback
 * port from test/peers/debian/lemonldap-ng/ (lmConf-1.json and lemonldap-ng.ini, their
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

  /** Starts the portal with these relying parties, each registered as lmConf-1.json's `frontdoor` one is. */
  static async start(clients: LemonLdapClient[]): Promise<LemonLdapNg> {
    const service = new LocalService('lemonldap-ng');
    try {
      const state = service.stateDir;
      for (const dir of ['conf', 'sessions/lock', 'psessions/lock', 'cache']) mkdirSync(join(state, dir), { recursive: true });
      const port = await freeLoopbackPort();
      const portalUrl = `http://localhost:${port}/`;
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
      const options = JSON.stringify(conf.oidcRPMetaDataOptions!.frontdoor);
      const exported = JSON.stringify(conf.oidcRPMetaDataExportedVars!.frontdoor);
      conf.oidcRPMetaDataOptions = Object.fromEntries(clients.map((c, i) => [`frontdoor${i}`, rp(options, c)]));
      conf.oidcRPMetaDataExportedVars = Object.fromEntries(clients.map((c, i) => [`frontdoor${i}`, rp(exported, c)]));
      const settings = conf as unknown as Record<string, unknown>;
      settings.oidcServicePrivateKeySig = privateKey.export({ type: 'pkcs8', format: 'pem' });
      settings.oidcServicePublicKeySig = publicKey.export({ type: 'spki', format: 'pem' });
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
