import { isFrontdoorError } from '../../core/errors.ts';
import { diagnosticCheck, type DiagnosticCheck } from '../diagnostic-check.ts';
import type { GitHubConfig } from './config.ts';
import { probeAuthorizeEndpoint, probeTokenEndpoint, probeUserEndpoint } from './github-api.ts';

type Endpoints = Pick<GitHubConfig, 'clientId' | 'serverUrl' | 'apiUrl' | 'scopes'>;

/**
 * The admin's "Test" button for a GitHub app: do the client id and secret look like GitHub's,
 * do the authorize, token and user endpoints answer, and does GitHub know our credentials?
 * The last is probed as for OIDC (diagnostics.ts there) by redeeming a code that cannot exist;
 * nobody signs in.
 */
export async function diagnoseGitHubApp(config: Endpoints, clientSecret: unknown, redirectUri: string): Promise<DiagnosticCheck[]> {
  const secret = typeof clientSecret === 'string' ? clientSecret : undefined;
  const checks: DiagnosticCheck[] = [clientIdShape(config.clientId), clientSecretShape(secret)];
  checks.push(await checkAuthorizeEndpoint(config, redirectUri));
  if (secret) checks.push(await checkClientCredentials(config, secret, redirectUri));
  checks.push(await checkUserEndpoint(config));
  return checks;
}

// GitHub's client ids: `Ov23li…` (OAuth Apps), `Iv1.…` or `Iv23li…` (GitHub Apps), 20 hex digits (older OAuth Apps).
function clientIdShape(clientId: string): DiagnosticCheck {
  const ok = /^[A-Za-z0-9._-]{1,100}$/.test(clientId);
  return ok ? diagnosticCheck('client_id', true, 'check.github.clientId', { clientId }) : diagnosticCheck('client_id', false, 'check.github.clientIdOdd');
}

function clientSecretShape(secret: string | undefined): DiagnosticCheck {
  if (!secret) return diagnosticCheck('client_secret', false, 'check.github.secretMissing');
  if (/\s/.test(secret)) return diagnosticCheck('client_secret', false, 'check.github.secretSpace');
  const usual = /^[0-9a-f]{40}$/.test(secret);
  return usual ? diagnosticCheck('client_secret', true, 'check.github.secretUsual') : diagnosticCheck('client_secret', true, 'check.github.secretUnusual', { length: secret.length });
}

// What the network or GitHub said, as it came.
const unreachable = (name: string, error: unknown) => {
  if (isFrontdoorError(error)) return diagnosticCheck(name, false, 'check.cause', { message: error.internalDetail ?? error.message });
  throw error;
};

async function checkAuthorizeEndpoint(config: Endpoints, redirectUri: string): Promise<DiagnosticCheck> {
  const name = 'authorize_endpoint';
  try {
    const { status, location } = await probeAuthorizeEndpoint(config, redirectUri);
    // GitHub sends a wrong redirect_uri back to the registered callback with this error.
    const error = location?.searchParams.get('error');
    if (error && error !== 'access_denied') {
      return error === 'redirect_uri_mismatch'
        ? diagnosticCheck(name, false, 'check.github.redirectMismatch', { error, redirectUri })
        : diagnosticCheck(name, false, 'check.github.authorizeError', { error });
    }
    if (status === 404) return diagnosticCheck(name, false, 'check.github.authorize404', { url: config.serverUrl });
    const ok = status === 200 || (status >= 300 && status < 400);
    const url = `${config.serverUrl}/login/oauth/authorize`;
    return location
      ? diagnosticCheck(name, ok, 'check.github.authorizeAnsweredTo', { url, status, location: `${location.origin}${location.pathname}` })
      : diagnosticCheck(name, ok, 'check.github.authorizeAnswered', { url, status });
  } catch (error) {
    return unreachable(name, error);
  }
}

async function checkClientCredentials(config: Endpoints, secret: string, redirectUri: string): Promise<DiagnosticCheck> {
  const name = 'client_credentials';
  try {
    const { status, body } = await probeTokenEndpoint(config, secret, redirectUri);
    const answer = (body ?? {}) as { error?: unknown; error_description?: unknown; access_token?: unknown };
    if (answer.error === 'bad_verification_code') return diagnosticCheck(name, true, 'check.github.knowsClient');
    if (typeof answer.access_token === 'string') return diagnosticCheck(name, false, 'check.github.acceptedMadeUpCode');
    if (answer.error === 'incorrect_client_credentials') return diagnosticCheck(name, false, 'check.github.refusedClient');
    if (typeof answer.error !== 'string') return diagnosticCheck(name, false, 'check.github.tokenStatus', { status });
    return typeof answer.error_description === 'string'
      ? diagnosticCheck(name, false, 'check.github.tokenErrorDescribed', { error: answer.error, description: answer.error_description })
      : diagnosticCheck(name, false, 'check.github.tokenError', { error: answer.error });
  } catch (error) {
    return unreachable(name, error);
  }
}

async function checkUserEndpoint(config: Endpoints): Promise<DiagnosticCheck> {
  const name = 'user_endpoint';
  try {
    const { status, body } = await probeUserEndpoint(config);
    // Without a token, GitHub's API answers 401 and a JSON message; anything else is not it.
    const ok = status === 401 && typeof (body as { message?: unknown } | null)?.message === 'string';
    const url = `${config.apiUrl}/user`;
    return ok ? diagnosticCheck(name, true, 'check.github.userAnswers', { url }) : diagnosticCheck(name, false, 'check.github.userAnswered', { url, status });
  } catch (error) {
    return unreachable(name, error);
  }
}
