import { randomBytes } from 'node:crypto';
import { FrontdoorError } from '../../core/errors.ts';
import type { ExternalProfile } from '../../core/account-resolution.ts';
import type { GitHubConfig } from './config.ts';

// GitHub's OAuth 2.0 web flow and REST API, as documented at docs.github.com
// ("Authorizing OAuth apps", "REST API endpoints for users" and "for emails"). Every call
// takes fetch as an argument, so tests may point it anywhere (they use a loopback peer).

type Endpoints = Pick<GitHubConfig, 'clientId' | 'serverUrl' | 'apiUrl' | 'scopes'>;

const trimmed = (url: string) => url.replace(/\/$/, '');
const TIMEOUT_MS = 10_000;

export function authorizeUrl(config: Endpoints, input: { redirectUri: string; state: string; codeChallenge: string }): URL {
  const url = new URL(`${trimmed(config.serverUrl)}/login/oauth/authorize`);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('state', input.state);
  // RFC 7636: the code is useless to whoever intercepts it without our verifier.
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  // Not `allow_signup`: signing up at GitHub is none of our business either way.
  return url;
}

const providerError = (check: string, detail: string) =>
  new FrontdoorError('sso.provider_error', 'The identity service could not be reached or gave an answer we cannot use. Please try again in a moment.', { check, detail });

async function getJson(url: string, init: RequestInit, check: string): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw providerError(check, `${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw providerError(check, `${url} answered ${response.status} with no JSON`);
  }
}

/**
 * Redeems the code (with the PKCE verifier). GitHub answers a refused code with status 200
 * and an `error` member (bad_verification_code, incorrect_client_credentials,
 * redirect_uri_mismatch), so the body, not the status, says whether it worked.
 */
export async function redeemCode(config: Endpoints, clientSecret: string, input: { code: string; redirectUri: string; codeVerifier: string }): Promise<string> {
  const { status, body } = await getJson(`${trimmed(config.serverUrl)}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: config.clientId, client_secret: clientSecret, code: input.code, redirect_uri: input.redirectUri, code_verifier: input.codeVerifier,
    }).toString(),
  }, 'token_endpoint');
  const answer = (body ?? {}) as { access_token?: unknown; token_type?: unknown; error?: unknown; error_description?: unknown };
  if (typeof answer.error === 'string') {
    const detail = `${answer.error}${typeof answer.error_description === 'string' ? `: ${answer.error_description}` : ''}`;
    if (answer.error === 'bad_verification_code') {
      throw new FrontdoorError('sso.code_invalid', 'This sign-in link was already used or has expired. Please start again.', { check: 'token_endpoint', detail });
    }
    throw providerError('token_endpoint', detail);
  }
  if (status !== 200 || typeof answer.access_token !== 'string' || String(answer.token_type).toLowerCase() !== 'bearer') {
    throw providerError('token_endpoint', `status ${status}, no bearer access_token`);
  }
  return answer.access_token;
}

type GitHubUser = { id?: unknown; login?: unknown; name?: unknown; email?: unknown };
type GitHubEmail = { email?: unknown; primary?: unknown; verified?: unknown };

const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'Frontdoor' };
const apiHeaders = (token: string) => ({ ...API_HEADERS, authorization: `Bearer ${token}` });

/**
 * Who signed in: /user for the stable numeric id (a login can be renamed and then taken by
 * someone else), /user/emails for the email. Only the primary email with `verified: true`
 * (a JSON true) counts as verified; /user's `email` is the public profile email, which GitHub
 * does not vouch for, so it is never trusted for linking (invariant 5).
 */
export async function fetchGitHubProfile(config: Endpoints, token: string): Promise<ExternalProfile> {
  const api = trimmed(config.apiUrl);
  const user = await getJson(`${api}/user`, { headers: apiHeaders(token) }, 'user_endpoint');
  const person = (user.body ?? {}) as GitHubUser;
  if (user.status !== 200 || typeof person.id !== 'number' || typeof person.login !== 'string') {
    throw providerError('user_endpoint', `status ${user.status}, no id and login`);
  }
  const emails = await getJson(`${api}/user/emails`, { headers: apiHeaders(token) }, 'emails_endpoint');
  if (emails.status !== 200 || !Array.isArray(emails.body)) {
    throw providerError('emails_endpoint', `status ${emails.status}: the app needs the user:email scope`);
  }
  const list = emails.body as GitHubEmail[];
  const primary = list.find((e) => e.primary === true && typeof e.email === 'string');
  const verifiedPrimary = primary?.verified === true;
  const email = typeof primary?.email === 'string' ? primary.email : typeof person.email === 'string' ? person.email : undefined;
  const claims = {
    id: person.id, login: person.login, name: typeof person.name === 'string' ? person.name : null, email: email ?? null, email_verified: verifiedPrimary,
  };
  return {
    subject: String(person.id),
    issuer: trimmed(config.serverUrl),
    email,
    emailVerified: verifiedPrimary,
    name: typeof person.name === 'string' && person.name.trim() ? person.name : person.login,
    groups: [],
    claims,
  };
}

// The Test button's probes (diagnostics.ts): each asks one endpoint something that signs
// nobody in, and answers what came back.

/** The authorize page for our client, its redirect not followed (no browser, no cookie: nobody is signed in at GitHub). */
export async function probeAuthorizeEndpoint(config: Endpoints, redirectUri: string): Promise<{ status: number; location: URL | undefined }> {
  const url = authorizeUrl(config, { redirectUri, state: randomBytes(16).toString('base64url'), codeChallenge: randomBytes(32).toString('base64url') });
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw providerError('authorize_endpoint', `${url.origin}${url.pathname}: ${(error as Error).message}`);
  }
  await response.body?.cancel();
  const location = response.headers.get('location');
  return { status: response.status, location: location ? new URL(location, url) : undefined };
}

/** A made-up code redeemed with our credentials: a known client gets `bad_verification_code`, wrong ones `incorrect_client_credentials`. */
export async function probeTokenEndpoint(config: Endpoints, clientSecret: string, redirectUri: string): Promise<{ status: number; body: unknown }> {
  return getJson(`${trimmed(config.serverUrl)}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: config.clientId, client_secret: clientSecret, code: 'frontdoor-credential-probe', redirect_uri: redirectUri,
      code_verifier: randomBytes(32).toString('base64url'),
    }).toString(),
  }, 'token_endpoint');
}

/** GET /user without a token: GitHub's API answers 401 with a JSON message. */
export async function probeUserEndpoint(config: Endpoints): Promise<{ status: number; body: unknown }> {
  return getJson(`${trimmed(config.apiUrl)}/user`, { headers: API_HEADERS }, 'user_endpoint');
}
