import * as client from 'openid-client';
import type { AuthApp } from '../../core/apps.ts';
import { checkMessage, type CheckMessage } from '../../i18n/check-details.ts';
import { diagnosticCheck, diagnosticCheckOf, type DiagnosticCheck } from '../diagnostic-check.ts';
import { methodsWithCredentials, type ClientAuthChoice, type ClientAuthMethod } from './client-authentication.ts';
import type { OidcConfigurations } from './provider-config.ts';

export type { DiagnosticCheck };

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
    checks.push(diagnosticCheck('discovery', true, 'check.oidc.discovered', { url: configurations.issuerFor(app), issuer: server.issuer }));
  } catch (error) {
    checks.push(diagnosticCheck('discovery', false, 'check.whereCause', { where: configurations.issuerFor(app), message: (error as Error).message }));
    return checks;
  }
  const server = configuration.serverMetadata();
  checks.push(await signingKeysCheck(server.jwks_uri));
  const missing = checkMessage('check.oidc.endpointMissing');
  checks.push(diagnosticCheck('endpoints', Boolean(server.authorization_endpoint && server.token_endpoint), 'check.oidc.endpoints', {
    authorization: server.authorization_endpoint ?? missing,
    token: server.token_endpoint ?? missing,
    logout: server.end_session_endpoint ?? checkMessage('check.oidc.noLogoutEndpoint'),
  }));
  checks.push(await probeClientAuthentication(configurations, app, secrets, now, configuration));
  return checks;
}

/** The provider's key set answers with at least one key that signs (not only encryption keys). */
async function signingKeysCheck(jwksUri: string | undefined): Promise<DiagnosticCheck> {
  if (!jwksUri) return diagnosticCheck('signing_keys', false, 'check.oidc.noJwksUri');
  try {
    const response = await fetch(jwksUri, { signal: AbortSignal.timeout(10_000) });
    const jwks = (await response.json()) as { keys?: { use?: string; kty?: string }[] };
    const signingKeys = (jwks.keys ?? []).filter((key) => key.use !== 'enc');
    if (!response.ok || signingKeys.length === 0) return diagnosticCheck('signing_keys', false, 'check.oidc.noSigningKeys', { url: jwksUri, status: response.status });
    return diagnosticCheck('signing_keys', true, 'check.oidc.signingKeys', { url: jwksUri, count: signingKeys.length });
  } catch (error) {
    return diagnosticCheck('signing_keys', false, 'check.cause', { message: (error as Error).message });
  }
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
    return diagnosticCheck('client_credentials', true, 'check.oidc.clientAccepted', { probe: probe.detail, method: choice.method, reason: choice.reason });
  }
  if (probe.outcome !== 'refused' || choice.method === 'none') {
    return diagnosticCheck('client_credentials', false, 'check.oidc.clientNotAccepted', { probe: probe.detail, method: choice.method, reason: choice.reason });
  }
  const others = methodsWithCredentials(secrets).filter((m) => m !== choice.method && choice.supported.includes(m));
  for (const method of others) {
    const other = await probeClientCredentials(await configurations.forApp(app, secrets, now, method));
    if (other.outcome === 'accepted') {
      return diagnosticCheckOf('client_credentials', false, acceptsAnotherMethod(choice, method, probe.detail));
    }
  }
  const needKey = choice.supported.includes('private_key_jwt') && !secrets.privateKeyJwk;
  return diagnosticCheck('client_credentials', false, 'check.oidc.clientRefused', {
    probe: probe.detail, tried: methodList([choice.method, ...others]), supported: choice.supported.join(', '), needKey: needKey ? 'yes' : 'no',
  });
}

/** The methods tried, "a and b": at most three (methodsWithCredentials). */
function methodList(methods: readonly string[]): CheckMessage | string {
  const [a, b, c] = methods;
  if (c !== undefined) return checkMessage('check.oidc.methodsThree', { a: a!, b: b!, c });
  return b !== undefined ? checkMessage('check.oidc.methodsTwo', { a: a!, b }) : a!;
}

function acceptsAnotherMethod(choice: ClientAuthChoice, accepted: ClientAuthMethod, refusal: CheckMessage): CheckMessage {
  return checkMessage('check.oidc.acceptsAnotherMethod', {
    probe: refusal, method: choice.method, reason: choice.reason, accepted, basic: choice.method === 'client_secret_basic' ? 'yes' : 'no',
  });
}

type ProbeResult = { outcome: 'accepted' | 'refused' | 'unsafe' | 'unreachable'; detail: CheckMessage };

async function probeClientCredentials(configuration: client.Configuration): Promise<ProbeResult> {
  try {
    await client.genericGrantRequest(configuration, 'authorization_code', {
      code: 'frontdoor-credential-probe',
      redirect_uri: 'https://frontdoor.invalid/probe',
      code_verifier: client.randomPKCECodeVerifier(),
    });
    return { outcome: 'unsafe', detail: checkMessage('check.oidc.acceptedMadeUpCode') };
  } catch (error) {
    const e = error as { error?: string; status?: number; message?: string; cause?: { parameters?: { error?: string } }[] };
    // A 401 with a WWW-Authenticate challenge is how many providers (oidc-provider, Keycloak)
    // refuse client credentials at the token endpoint.
    if (error instanceof client.WWWAuthenticateChallengeError) {
      const challenge = e.cause?.[0]?.parameters?.error;
      return { outcome: 'refused', detail: refusedWith(e.status, challenge) };
    }
    if (error instanceof client.ResponseBodyError) {
      if (e.error === 'invalid_client' || e.error === 'unauthorized_client' || e.status === 401) {
        return { outcome: 'refused', detail: refusedWith(e.status, e.error) };
      }
      return { outcome: 'accepted', detail: checkMessage('check.oidc.knowsClient', { error: String(e.error) }) };
    }
    return { outcome: 'unreachable', detail: checkMessage('check.oidc.tokenUnreachable', { message: String(e.message) }) };
  }
}

function refusedWith(status: number | undefined, error: string | undefined): CheckMessage {
  return error
    ? checkMessage('check.oidc.clientRefusedWith', { status: String(status), error })
    : checkMessage('check.oidc.clientRefusedStatus', { status: String(status) });
}
