import type { Client } from 'ldapts';
import { isFrontdoorError } from '../../core/errors.ts';
import { findOne, withNestedGroups } from './authenticate.ts';
import { closeQuietly, openServiceConnection } from './connection.ts';
import type { DirectoryPerson } from './entry.ts';
import type { LdapConfig, LdapSecrets } from './settings.ts';
import { diagnosticCheck, type DiagnosticCheck } from '../diagnostic-check.ts';

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
    if (bindRefused) checks.push(diagnosticCheck('connect', true, 'check.ldap.connect.answered', { url: config.url, transport: transport(config) }));
    checks.push(bindRefused
      ? diagnosticCheck('service_bind', false, 'check.whereCause', { where: config.bindDn, message: (error as Error).message })
      : diagnosticCheck('connect', false, 'check.whereCause', { where: config.url, message: String((isFrontdoorError(error) && error.details?.reason) || (error as Error).message) }));
    return { checks, sample: undefined };
  }
  checks.push(diagnosticCheck('connect', true, 'check.ldap.connect.answered', { url: config.url, transport: transport(config) }));
  checks.push(diagnosticCheck('service_bind', true, 'check.ldap.service_bind.bound', { bindDn: config.bindDn }));
  let sample: DirectoryPerson | undefined;
  if (!sampleUsername) {
    await closeQuietly(client);
    return { checks, sample };
  }
  try {
    sample = await findOne(client, config, sampleUsername);
    if (sample) sample = await withNestedGroups(client, config, sample);
    checks.push(sample
      ? diagnosticCheck('search', true, 'check.ldap.search.found', { username: sampleUsername, dn: sample.dn })
      : diagnosticCheck('search', false, 'check.ldap.search.none', {
        username: sampleUsername, baseDn: config.baseDn, idAttribute: config.attributes.id, usernameAttribute: config.attributes.username,
      }));
    if (sample?.disabled) checks.push(diagnosticCheck('account', false, 'check.ldap.account.disabled', { dn: sample.dn }));
  } catch (error) {
    checks.push(diagnosticCheck('search', false, 'check.cause', { message: (error as Error).message }));
  } finally {
    await closeQuietly(client);
  }
  return { checks, sample };
}

/** How the connection is protected: a select of check.ldap.connect.answered. */
function transport(config: LdapConfig): 'ldaps' | 'starttls' | 'plain' {
  return config.url.startsWith('ldaps://') ? 'ldaps' : config.startTls ? 'starttls' : 'plain';
}
