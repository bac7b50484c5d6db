import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';
import { FrontdoorError } from '../../core/errors.ts';
import type { LdapConfig, LdapSecrets } from './settings.ts';

/**
 * A connection to the directory, bound as the service account: LDAPS, or ldap:// upgraded with
 * StartTLS before any credential crosses it. Certificates are always verified (against the
 * pasted CA, else the system's); there is no "skip verification" switch to leave on.
 * Anything that keeps us from the directory is `sso.ldap.unreachable` (503): sign-in fails
 * closed, never falls back to another check.
 */
export async function openServiceConnection(config: LdapConfig, secrets: LdapSecrets): Promise<Client> {
  const client = newClient(config);
  try {
    if (config.startTls && config.url.startsWith('ldap://')) await client.startTLS(tlsOptions(config));
  } catch (error) {
    await closeQuietly(client);
    throw unreachable(config, error);
  }
  try {
    await client.bind(config.bindDn, requireNonEmpty(secrets.bindPassword));
  } catch (error) {
    await closeQuietly(client);
    if (error instanceof InvalidCredentialsError || error instanceof FrontdoorError) {
      throw new FrontdoorError('sso.ldap.service_bind_failed', 'The directory refused Frontdoor’s service account; check its bind DN and password.');
    }
    throw unreachable(config, error);
  }
  return client;
}

/**
 * Checks a person's password with a bind as their entry, on a connection of its own so the
 * service connection's identity never changes. True only when the directory says so.
 */
export async function passwordBinds(config: LdapConfig, dn: string, password: string): Promise<boolean> {
  // RFC 4513 section 5.1.2: a simple bind with a DN and an empty password is an
  // "unauthenticated" bind that many servers answer with success. Never ask it.
  if (password.length === 0) return false;
  const client = newClient(config);
  try {
    if (config.startTls && config.url.startsWith('ldap://')) await client.startTLS(tlsOptions(config));
    await client.bind(dn, password);
    return true;
  } catch (error) {
    if (error instanceof InvalidCredentialsError) return false;
    throw unreachable(config, error);
  } finally {
    await closeQuietly(client);
  }
}

export function unreachable(config: LdapConfig, error: unknown): FrontdoorError {
  return new FrontdoorError('sso.ldap.unreachable', 'The directory cannot be reached right now; try again in a few minutes.', {
    directory: config.url,
    reason: (error as Error)?.message ?? String(error),
  });
}

export async function closeQuietly(client: Client): Promise<void> {
  await client.unbind().catch(() => {});
}

function newClient(config: LdapConfig): Client {
  // ldapts speaks TLS from the first byte whenever it is given TLS options, so an ldap://
  // client that will StartTLS gets them only at the upgrade.
  const direct = config.url.startsWith('ldaps://') ? { tlsOptions: tlsOptions(config) } : {};
  return new Client({ url: config.url, timeout: config.timeoutMs, connectTimeout: config.timeoutMs, strictDN: true, ...direct });
}

function tlsOptions(config: LdapConfig): ConnectionOptions {
  const host = new URL(config.url).hostname.replace(/^\[|\]$/g, '');
  // `host` is what the certificate is checked against (also after StartTLS, where the socket is given).
  const options: ConnectionOptions = { host, rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  if (config.caPem) options.ca = [config.caPem];
  if (!isIP(host)) options.servername = host;
  return options;
}

function requireNonEmpty(password: string): string {
  if (!password) throw new FrontdoorError('sso.ldap.service_bind_failed', 'The service account has no password set.');
  return password;
}
