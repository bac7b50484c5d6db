import * as client from 'openid-client';
import type { AuthApp } from '../../core/apps.ts';
import { methodsWithCredentials, type ClientAuthChoice, type ClientAuthMethod } from './client-authentication.ts';
import type { OidcConfigurations } from './provider-config.ts';

export type DiagnosticCheck = { name: string; ok: boolean; detail: string };

/**
 * The admin's "Test" button for an OIDC app: can we discover the provider, read its keys,
 * and do our client credentials work? The last is probed by redeeming a code that cannot
 * exist: a provider answers `invalid_grant` to a known client and `invalid_client` (or 401)
 * to wrong credentials, without anyone signing in.
 */
export async function diagnoseOidcApp(
  configurations: OidcConfigurations,
  app: AuthApp,
  secrets: Record<string, unknown>,
  now: Date,
): Promise<DiagnosticCheck[]> {
  const checks: DiagnosticCheck[] = [];
  configurations.forget(app.id);
  let configuration: client.Configuration;
  try {
    configuration = await configurations.forApp(app, secrets, now);
    const server = configuration.serverMetadata();
    checks.push({ name: 'discovery', ok: true, detail: `${configurations.issuerFor(app)} publishes its configuration (issuer ${server.issuer})` });
  } catch (error) {
    checks.push({ name: 'discovery', ok: false, detail: `${configurations.issuerFor(app)}: ${(error as Error).message}` });
    return checks;
  }
  const server = configuration.serverMetadata();
  try {
    if (!server.jwks_uri) throw new Error('no jwks_uri in the discovery document');
    const response = await fetch(server.jwks_uri, { signal: AbortSignal.timeout(10_000) });
    const jwks = (await response.json()) as { keys?: { use?: string; kty?: string }[] };
    const signingKeys = (jwks.keys ?? []).filter((key) => key.use !== 'enc');
    if (!response.ok || signingKeys.length === 0) throw new Error(`no signing keys at ${server.jwks_uri} (HTTP ${response.status})`);
    checks.push({ name: 'signing_keys', ok: true, detail: `${signingKeys.length} signing key(s) at ${server.jwks_uri}` });
  } catch (error) {
    checks.push({ name: 'signing_keys', ok: false, detail: (error as Error).message });
  }
  checks.push({
    name: 'endpoints',
    ok: Boolean(server.authorization_endpoint && server.token_endpoint),
    detail: `authorization ${server.authorization_endpoint ?? 'missing'}, token ${server.token_endpoint ?? 'missing'}, logout ${server.end_session_endpoint ?? 'none (the app\'s logout URL is used)'}`,
  });
  checks.push(await probeClientAuthentication(configurations, app, secrets, now, configuration));
  return checks;
}

/**
 * Tries the app's client authentication; when the provider refuses it, tries the other
 * methods the provider lists that the app has credentials for, with the same credentials.
 * A provider that accepts another one is not refusing the secret but the way it was sent
 * (the Basic header's encoding, or how the client is registered there): say which method to
 * set rather than send the admin to re-check a secret that is right.
 */
async function probeClientAuthentication(
  configurations: OidcConfigurations, app: AuthApp, secrets: Record<string, unknown>, now: Date, configuration: client.Configuration,
): Promise<DiagnosticCheck> {
  const choice = await configurations.clientAuthOf(app, secrets);
  const probe = await probeClientCredentials(configuration);
  if (probe.outcome === 'accepted') {
    return { name: 'client_credentials', ok: true, detail: `${probe.detail}, with ${choice.method} (${choice.reason})` };
  }
  if (probe.outcome !== 'refused' || choice.method === 'none') return { name: 'client_credentials', ok: false, detail: `${probe.detail} (${choice.method}, ${choice.reason})` };
  const others = methodsWithCredentials(secrets).filter((m) => m !== choice.method && choice.supported.includes(m));
  for (const method of others) {
    const other = await probeClientCredentials(await configurations.forApp(app, secrets, now, method));
    if (other.outcome === 'accepted') {
      return { name: 'client_credentials', ok: false, detail: acceptsAnotherMethod(choice, method, probe.detail) };
    }
  }
  const tried = [choice.method, ...others].join(' and ');
  const needKey = choice.supported.includes('private_key_jwt') && !secrets.privateKeyJwk ? '; it also accepts private_key_jwt, which needs privateKeyJwk' : '';
  return {
    name: 'client_credentials', ok: false,
    detail: `${probe.detail} with ${tried}: check the client id and secret (the provider lists ${choice.supported.join(', ')}${needKey})`,
  };
}

function acceptsAnotherMethod(choice: ClientAuthChoice, accepted: ClientAuthMethod, refusal: string): string {
  const basicEncoding = choice.method === 'client_secret_basic'
    ? ' (it may not decode the form-encoding of the Basic credentials that RFC 6749 section 2.3.1 asks for, or the client is registered for the other method)'
    : ' (the client is registered there for that method)';
  return `${refusal} with ${choice.method} (${choice.reason}), but accepts the same credentials with ${accepted}${basicEncoding}: set clientAuth to "${accepted}" in the app`;
}

type ProbeResult = { outcome: 'accepted' | 'refused' | 'unsafe' | 'unreachable'; detail: string };

async function probeClientCredentials(configuration: client.Configuration): Promise<ProbeResult> {
  try {
    await client.genericGrantRequest(configuration, 'authorization_code', {
      code: 'frontdoor-credential-probe',
      redirect_uri: 'https://frontdoor.invalid/probe',
      code_verifier: client.randomPKCECodeVerifier(),
    });
    return { outcome: 'unsafe', detail: 'the provider accepted a made-up code: it is not safe to use' };
  } catch (error) {
    const e = error as { error?: string; status?: number; message?: string; cause?: { parameters?: { error?: string } }[] };
    // A 401 with a WWW-Authenticate challenge is how many providers (oidc-provider, Keycloak)
    // refuse client credentials at the token endpoint.
    if (error instanceof client.WWWAuthenticateChallengeError) {
      const challenge = e.cause?.[0]?.parameters?.error;
      return { outcome: 'refused', detail: `the provider refused the client authentication (HTTP ${e.status}${challenge ? `, ${challenge}` : ''})` };
    }
    if (error instanceof client.ResponseBodyError) {
      if (e.error === 'invalid_client' || e.error === 'unauthorized_client' || e.status === 401) {
        return { outcome: 'refused', detail: `the provider refused the client authentication (HTTP ${e.status}, ${e.error})` };
      }
      return { outcome: 'accepted', detail: `the provider knows this client (it answered ${e.error} to a made-up code)` };
    }
    return { outcome: 'unreachable', detail: `the token endpoint could not be asked: ${e.message}` };
  }
}
