import assert from 'node:assert/strict';
import type * as samlify from 'samlify';
import type { AuthApp } from '../../src/core/apps.ts';
import type { Audience } from '../../src/core/audience.ts';
import type { SamlIdp, ResponseTweaks, SamlUser } from '../peers/saml-idp.ts';
import type { TestClient, TestResponse, TestServer } from './server.ts';

const cli = { type: 'cli' } as const;

/** Installs a SAML app for `idp` and gives the IdP's view of our SP, read from our own metadata. */
export async function installSamlApp(
  server: TestServer,
  idp: SamlIdp,
  options: { audience?: Audience; slug: string; config?: Record<string, unknown>; sso?: 'disabled' | 'automatic'; signResponse?: boolean },
): Promise<{ app: AuthApp; sp: samlify.ServiceProviderInstance; metadata: string }> {
  const app = await server.services.apps.create(
    {
      audience: options.audience ?? 'users', type: 'saml', slug: options.slug, name: 'Test IdP', showButton: true, sso: options.sso ?? 'disabled',
      config: { idpMetadataUrl: idp.metadataUrl, ...options.config },
    },
    cli,
  );
  const metadata = await server.client().get(`/sso/${app.slug}/saml/metadata`);
  assert.equal(metadata.status, 200, metadata.text);
  return { app, sp: idp.spFrom(metadata.text, { signResponse: options.signResponse }), metadata: metadata.text };
}

/** Starts sign-in in the browser, lets the IdP answer, and returns what the browser would post to our ACS. */
export async function loginAtIdp(
  client: TestClient,
  app: AuthApp,
  idp: SamlIdp,
  sp: samlify.ServiceProviderInstance,
  user: SamlUser,
  tweaks: ResponseTweaks = {},
  returnTo?: string,
): Promise<{ SAMLResponse: string; RelayState: string; requestId: string }> {
  const start = await client.get(`/sso/${app.slug}/start${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`);
  if (start.status === 302) {
    assert.ok(start.location?.startsWith(`${idp.baseUrl}/sso?`), `redirected to the IdP, got ${start.location}`);
    return idp.answerLogin(sp, { redirectUrl: start.location! }, user, tweaks);
  }
  assert.equal(start.status, 200, start.text);
  const form = Object.fromEntries([...start.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, decodeHtml(m[2]!)]));
  assert.match(start.text, new RegExp(`action="${idp.baseUrl}/sso"`));
  return idp.answerLogin(sp, { form }, user, tweaks);
}

export function postToAcs(client: TestClient, app: AuthApp, fields: { SAMLResponse: string; RelayState?: string }): Promise<TestResponse> {
  return client.postForm(`/sso/${app.slug}/saml/acs`, { SAMLResponse: fields.SAMLResponse, ...(fields.RelayState ? { RelayState: fields.RelayState } : {}) });
}

function decodeHtml(value: string): string {
  return value.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');
}

/** The error code shown on an error page. */
export function errorCodeOf(response: TestResponse): string | undefined {
  return /Error <code>([^<]+)<\/code>/.exec(response.text)?.[1] ?? response.json?.error?.code;
}

/** The error code, failed check and detail of a refused attempt, from its trace (for assertion messages). */
export async function failureOf(server: TestServer, response: TestResponse): Promise<string> {
  const traceId = /trace <code>([^<]+)<\/code>/.exec(response.text)?.[1];
  const [trace] = traceId
    ? await server.services.db.query<{ error_code: string; failed_check: string; detail: string }>('SELECT error_code, failed_check, detail FROM sso_traces WHERE id = $1', [traceId])
    : [];
  return trace ? `${trace.error_code} [${trace.failed_check}] ${trace.detail}` : `${response.status} ${errorCodeOf(response)}`;
}
