import type { Client } from 'ldapts';
import { isFrontdoorError } from '../../core/errors.ts';
import { findOne, withNestedGroups } from './authenticate.ts';
import { closeQuietly, openServiceConnection } from './connection.ts';
import type { DirectoryPerson } from './entry.ts';
import type { LdapConfig, LdapSecrets } from './settings.ts';

export type DiagnosticCheck = { name: string; ok: boolean; detail: string };

/**
 * The admin's "Test" for an LDAP app: connect (TLS verified), bind as the service account,
 * and, given a sample username (testUsername), find that person by the user filter and show
 * what their entry maps to. No password of
 * theirs is asked or tried.
 */
export async function diagnoseDirectory(
  config: LdapConfig, secrets: LdapSecrets, sampleUsername: string | undefined,
): Promise<{ checks: DiagnosticCheck[]; sample: DirectoryPerson | undefined }> {
  const checks: DiagnosticCheck[] = [];
  let client: Client;
  try {
    client = await openServiceConnection(config, secrets);
  } catch (error) {
    const bindRefused = isFrontdoorError(error) && error.code === 'sso.ldap.service_bind_failed';
    if (bindRefused) checks.push({ name: 'connect', ok: true, detail: `${config.url} answered over ${transport(config)}` });
    checks.push({
      name: bindRefused ? 'service_bind' : 'connect',
      ok: false,
      detail: bindRefused ? `${config.bindDn}: ${(error as Error).message}` : `${config.url}: ${String((isFrontdoorError(error) && error.details?.reason) || (error as Error).message)}`,
    });
    return { checks, sample: undefined };
  }
  checks.push({ name: 'connect', ok: true, detail: `${config.url} answered over ${transport(config)}` });
  checks.push({ name: 'service_bind', ok: true, detail: `bound as ${config.bindDn}` });
  let sample: DirectoryPerson | undefined;
  if (!sampleUsername) {
    await closeQuietly(client);
    return { checks, sample };
  }
  try {
    sample = await findOne(client, config, sampleUsername);
    if (sample) sample = await withNestedGroups(client, config, sample);
    checks.push(sample
      ? { name: 'search', ok: true, detail: `${sampleUsername} is ${sample.dn}` }
      : { name: 'search', ok: false, detail: `the user filter finds no single entry for ${sampleUsername} under ${config.baseDn} (none, several, or one without ${config.attributes.id} or ${config.attributes.username})` });
    if (sample?.disabled) checks.push({ name: 'account', ok: false, detail: `${sample.dn} is disabled (userAccountControl): it cannot sign in` });
  } catch (error) {
    checks.push({ name: 'search', ok: false, detail: (error as Error).message });
  } finally {
    await closeQuietly(client);
  }
  return { checks, sample };
}

function transport(config: LdapConfig): string {
  return config.url.startsWith('ldaps://') ? 'LDAPS' : config.startTls ? 'StartTLS' : 'plain LDAP (loopback)';
}
