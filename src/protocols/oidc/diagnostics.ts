import * as client from 'openid-client';
import type { AuthApp } from '../../core/apps.ts';
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
  checks.push(await probeClientCredentials(configuration));
  return checks;
}

async function probeClientCredentials(configuration: client.Configuration): Promise<DiagnosticCheck> {
  try {
    await client.genericGrantRequest(configuration, 'authorization_code', {
      code: 'frontdoor-credential-probe',
      redirect_uri: 'https://frontdoor.invalid/probe',
      code_verifier: client.randomPKCECodeVerifier(),
    });
    return { name: 'client_credentials', ok: false, detail: 'the provider accepted a made-up code: it is not safe to use' };
  } catch (error) {
    const e = error as { error?: string; status?: number; message?: string; cause?: { parameters?: { error?: string } }[] };
    // A 401 with a WWW-Authenticate challenge is how many providers (oidc-provider, Keycloak)
    // refuse client credentials at the token endpoint.
    if (error instanceof client.WWWAuthenticateChallengeError) {
      const challenge = e.cause?.[0]?.parameters?.error;
      return { name: 'client_credentials', ok: false, detail: `the provider refused the client id or secret (HTTP ${e.status}${challenge ? `, ${challenge}` : ''})` };
    }
    if (error instanceof client.ResponseBodyError) {
      if (e.error === 'invalid_client' || e.error === 'unauthorized_client' || e.status === 401) {
        return { name: 'client_credentials', ok: false, detail: `the provider refused the client id or secret (${e.error})` };
      }
      return { name: 'client_credentials', ok: true, detail: `the provider knows this client (it answered ${e.error} to a made-up code)` };
    }
    return { name: 'client_credentials', ok: false, detail: `the token endpoint could not be asked: ${e.message}` };
  }
}
