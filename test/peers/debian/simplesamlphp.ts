import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, LocalService } from './local-service.ts';

const WWW = '/usr/share/simplesamlphp/www';
const CONFIG_DIR = new URL('./simplesamlphp/', import.meta.url).pathname;

/** Why the SimpleSAMLphp tests cannot run here (for node:test's `skip`), or false when they can. */
export function simpleSamlPhpMissing(): string | false {
  if (!existsSync(join(WWW, 'saml2/idp/SSOService.php'))) return 'simplesamlphp not installed (bash test/peers/debian/install.sh)';
  if (!existsSync('/usr/bin/php')) return 'simplesamlphp not installed: php-cli is missing (bash test/peers/debian/install.sh)';
  return false;
}

/** The test users of authsources.php (SimpleSAMLphp's exampleauth:UserPass). */
export const SIMPLESAMLPHP_USERS = {
  student: { username: 'student', password: 'studentpass', email: 'student@example.org', name: 'Stu Dent' },
  employee: { username: 'employee', password: 'employeepass', email: 'employee@example.org', name: 'Emma Ployee' },
  faculty: { username: 'faculty', password: 'facultypass', email: 'faculty@example.org', name: 'Fay Culty' },
} as const;

/**
 * Debian's SimpleSAMLphp 1.19 as a SAML 2.0 IdP, served by PHP's built-in web server on a
 * loopback port, configured from test/peers/debian/simplesamlphp/ (used as it is: what
 * changes per run comes in environment variables). Its address uses the name `localhost`
 * while Frontdoor's uses 127.0.0.1, so the browser keeps the two sites' cookies apart as it
 * would for two hosts.
 */
export class SimpleSamlPhp {
  readonly baseUrl: string;
  readonly metadataUrl: string;
  readonly #service: LocalService;

  private constructor(baseUrl: string, service: LocalService) {
    this.baseUrl = baseUrl;
    this.metadataUrl = `${baseUrl}saml2/idp/metadata.php`;
    this.#service = service;
  }

  static async start(options: { encryptAssertions?: boolean } = {}): Promise<SimpleSamlPhp> {
    const service = new LocalService('simplesamlphp');
    try {
      mkdirSync(join(service.stateDir, 'tmp'));
      mkdirSync(join(service.stateDir, 'sessions'));
      // The IdP's signing (and decryption) key, made for this run only.
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '7', '-subj', '/CN=simplesamlphp.localhost',
        '-keyout', join(service.stateDir, 'idp.key'), '-out', join(service.stateDir, 'idp.crt'),
      ], { stdio: 'ignore' });
      const port = await freeLoopbackPort();
      const baseUrl = `http://localhost:${port}/`;
      service.start('php', ['-S', `127.0.0.1:${port}`, '-t', WWW], {
        SIMPLESAMLPHP_CONFIG_DIR: CONFIG_DIR,
        SSP_BASE_URL: baseUrl,
        SSP_STATE_DIR: service.stateDir,
        SSP_ENCRYPT_ASSERTIONS: options.encryptAssertions ? '1' : '0',
      });
      const idp = new SimpleSamlPhp(baseUrl, service);
      await service.waitUntilAnswering(idp.metadataUrl);
      return idp;
    } catch (error) {
      await service.stop();
      throw error;
    }
  }

  #serviceProviders = 0;

  /** Registers a Frontdoor app as a service provider from its SP metadata (as published at its metadata URL). */
  trustServiceProvider(spMetadataXml: string): void {
    this.#serviceProviders += 1;
    writeFileSync(join(this.#service.stateDir, `sp-${this.#serviceProviders}.xml`), spMetadataXml);
  }

  /** PHP's log and SimpleSAMLphp's own, for a failing test's message. */
  log(): string {
    let own = '';
    try {
      own = readFileSync(join(this.#service.stateDir, 'simplesamlphp.log'), 'utf8');
    } catch {
      // nothing logged yet
    }
    return `${this.#service.log()}\n${own}`;
  }

  /** The errors SimpleSAMLphp logged (exceptions with their causes), for a failing test's message. */
  errors(): string {
    return this.log().split('\n').filter((line) => /ERROR|Caused by|Exception/.test(line)).join('\n').slice(-6000);
  }

  close(): Promise<void> {
    return this.#service.stop();
  }
}
