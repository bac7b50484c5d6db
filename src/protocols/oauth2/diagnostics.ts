import { isFrontdoorError } from '../../core/errors.ts';
import type { DiagnosticCheck } from '../oidc/diagnostics.ts';
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
  return { name: 'client_id', ok, detail: ok ? `client id ${clientId}` : 'the client id has characters GitHub never uses (a space or a quote copied with it?)' };
}

function clientSecretShape(secret: string | undefined): DiagnosticCheck {
  if (!secret) return { name: 'client_secret', ok: false, detail: 'no client secret is stored: generate one at GitHub and save it in the app' };
  if (/\s/.test(secret)) return { name: 'client_secret', ok: false, detail: 'the client secret contains a space or a line break (copied with it?)' };
  const usual = /^[0-9a-f]{40}$/.test(secret);
  return { name: 'client_secret', ok: true, detail: usual ? 'set, 40 hexadecimal digits as GitHub issues them' : `set (${secret.length} characters, not GitHub's usual 40 hexadecimal digits)` };
}

const unreachable = (error: unknown) => {
  if (isFrontdoorError(error)) return error.internalDetail ?? error.message;
  throw error;
};

async function checkAuthorizeEndpoint(config: Endpoints, redirectUri: string): Promise<DiagnosticCheck> {
  const name = 'authorize_endpoint';
  try {
    const { status, location } = await probeAuthorizeEndpoint(config, redirectUri);
    // GitHub sends a wrong redirect_uri back to the registered callback with this error.
    const error = location?.searchParams.get('error');
    if (error && error !== 'access_denied') {
      const hint = error === 'redirect_uri_mismatch' ? `: register ${redirectUri} as the Authorization callback URL` : '';
      return { name, ok: false, detail: `GitHub answered ${error}${hint}` };
    }
    if (status === 404) return { name, ok: false, detail: `${config.serverUrl} answered 404: no OAuth app with this client id there (or not a GitHub URL)` };
    const ok = status === 200 || (status >= 300 && status < 400);
    return { name, ok, detail: `${config.serverUrl}/login/oauth/authorize answered ${status}${location ? ` (to ${location.origin}${location.pathname})` : ''}` };
  } catch (error) {
    return { name, ok: false, detail: unreachable(error) };
  }
}

async function checkClientCredentials(config: Endpoints, secret: string, redirectUri: string): Promise<DiagnosticCheck> {
  const name = 'client_credentials';
  try {
    const { status, body } = await probeTokenEndpoint(config, secret, redirectUri);
    const answer = (body ?? {}) as { error?: unknown; error_description?: unknown; access_token?: unknown };
    if (answer.error === 'bad_verification_code') return { name, ok: true, detail: 'GitHub knows this client id and secret (it answered bad_verification_code to a made-up code)' };
    if (typeof answer.access_token === 'string') return { name, ok: false, detail: 'GitHub accepted a made-up code: this is not safe to use' };
    if (answer.error === 'incorrect_client_credentials') return { name, ok: false, detail: 'GitHub refused the client id and secret (incorrect_client_credentials)' };
    const described = typeof answer.error === 'string' ? `${answer.error}${typeof answer.error_description === 'string' ? `: ${answer.error_description}` : ''}` : `status ${status}`;
    return { name, ok: false, detail: `the token endpoint answered ${described}` };
  } catch (error) {
    return { name, ok: false, detail: unreachable(error) };
  }
}

async function checkUserEndpoint(config: Endpoints): Promise<DiagnosticCheck> {
  const name = 'user_endpoint';
  try {
    const { status, body } = await probeUserEndpoint(config);
    // Without a token, GitHub's API answers 401 and a JSON message; anything else is not it.
    const ok = status === 401 && typeof (body as { message?: unknown } | null)?.message === 'string';
    return { name, ok, detail: ok ? `${config.apiUrl}/user answers (401 without a token, as GitHub's API does)` : `${config.apiUrl}/user answered ${status}: is the API URL right?` };
  } catch (error) {
    return { name, ok: false, detail: unreachable(error) };
  }
}
