import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { freeLoopbackPort, LocalService } from './debian/local-service.ts';

const HERE = new URL('./slapd/', import.meta.url).pathname;
export const SUFFIX = 'dc=example,dc=test';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
const ROOT_PASSWORD = 'admin-secret';
export const SERVICE_DN = `cn=frontdoor,ou=services,${SUFFIX}`;
export const SERVICE_PASSWORD = 'service-secret';

/**
 * Debian's OpenLDAP server (apt package `slapd`, installed by test/peers/debian/install.sh) on
 * two loopback ports: LDAPS with a certificate made for this run, and plain LDAP that offers
 * StartTLS with the same certificate. Its schema adds Active Directory's user attributes
 * (slapd/ad.schema), the memberof overlay keeps `memberOf` as AD does, and slapd/directory.ldif
 * is loaded through the running server so the overlay sees every group.
 */
export class Slapd {
  readonly #service: LocalService;
  readonly ldapsUrl: string;
  readonly ldapUrl: string;
  /** The PEM of the server's self-signed certificate: the CA an admin would paste. */
  readonly caPem: string;

  private constructor(service: LocalService, ldapsUrl: string, ldapUrl: string, caPem: string) {
    this.#service = service;
    this.ldapsUrl = ldapsUrl;
    this.ldapUrl = ldapUrl;
    this.caPem = caPem;
  }

  static async start(): Promise<Slapd> {
    const service = new LocalService('slapd');
    const dir = service.stateDir;
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'),
      ], { stdio: 'ignore' });
      mkdirSync(join(dir, 'db'));
      writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir));
      const [ldapsPort, ldapPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
      const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
      const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
      // -d 0: stay in the foreground (a child we can end by its pid) and log nothing extra.
      service.start('/usr/sbin/slapd', ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', `${ldapsUrl}/ ${ldapUrl}/`], {});
      const slapd = new Slapd(service, ldapsUrl, ldapUrl, readFileSync(join(dir, 'server.crt'), 'utf8'));
      await slapd.#waitUntilAnswering();
      execFileSync('ldapadd', ['-x', '-H', ldapUrl, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-f', join(HERE, 'directory.ldif')], { stdio: 'pipe' });
      return slapd;
    } catch (error) {
      const log = service.log();
      await service.stop();
      throw new Error(`slapd did not start: ${(error as Error).message}\n${log.slice(-4000)}`);
    }
  }

  /** A client bound as the directory's root, for tests that change the directory. */
  async asRoot<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ url: this.ldapsUrl, tlsOptions: { ca: [this.caPem] } });
    try {
      await client.bind(ROOT_DN, ROOT_PASSWORD);
      return await work(client);
    } finally {
      await client.unbind();
    }
  }

  async stop(): Promise<void> {
    await this.#service.stop();
  }

  async #waitUntilAnswering(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      const client = new Client({ url: this.ldapsUrl, connectTimeout: 1_000, tlsOptions: { ca: [this.caPem] } });
      try {
        await client.search('', { scope: 'base', attributes: ['namingContexts'] });
        return;
      } catch (error) {
        last = (error as Error).message;
      } finally {
        await client.unbind().catch(() => {});
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no answer at ${this.ldapsUrl}: ${last}`);
  }
}

function slapdConf(dir: string): string {
  return `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include ${join(HERE, 'ad.schema')}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${join(dir, 'slapd.pid')}
argsfile ${join(dir, 'slapd.args')}
TLSCertificateFile ${join(dir, 'server.crt')}
TLSCertificateKeyFile ${join(dir, 'server.key')}

database mdb
maxsize 33554432
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${join(dir, 'db')}
index objectClass eq
overlay memberof
# Passwords are only ever compared by a bind, never read; the service account reads the rest.
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
`;
}
