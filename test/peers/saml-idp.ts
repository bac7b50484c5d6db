import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { DOMParser } from '@xmldom/xmldom';
import * as samlify from 'samlify';
import { generateKeyPair, type KeyPair } from '../../src/protocols/saml/sp-keys.ts';

// samlify insists on a schema validator. This one is minimal and safe: well-formed XML, one
// root, no DTD. (The SP under test does its own validation; this only guards the IdP.)
samlify.setSchemaValidator({
  validate: async (xml: string) => {
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('DTD not allowed');
    const errors: string[] = [];
    const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) } }).parseFromString(xml, 'text/xml');
    if (errors.length || !doc.documentElement) throw new Error(`invalid XML: ${errors[0]}`);
    return 'ok';
  },
});

const NS_P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export type SamlUser = {
  nameId: string;
  nameIdFormat?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  groups?: string[];
  sessionIndex?: string;
};

/** Changes to a login response, to build valid and invalid ones. */
export type ResponseTweaks = {
  inResponseTo?: string | null;
  destination?: string;
  recipient?: string;
  audience?: string;
  issuer?: string;
  /** Offsets from now, in ms. */
  notBeforeMs?: number;
  notOnOrAfterMs?: number;
  statusCode?: string;
};

/**
 * A real SAML 2.0 identity provider built with samlify, in the test process. It signs with
 * its own key, reads our SP from our own published metadata (as a real IdP does when the
 * admin uploads it), verifies our signed AuthnRequests and LogoutRequests, and serves its own
 * metadata over HTTP on loopback so the metadata-URL path is exercised for real.
 */
export class SamlIdp {
  readonly entityId: string;
  readonly keys: KeyPair;
  readonly baseUrl: string;
  readonly #server: Server;
  #idp: samlify.IdentityProviderInstance;
  #metadataXml: string;
  /** Served at /metadata; tests may replace it (rollover, expiry). */
  metadataOverride: string | undefined;
  /**
   * For browser tests: who "signs in" at this IdP's /sso page, for which SP, and where the
   * browser posts the answer (the ACS on the test server's real address).
   */
  browserLogin: { sp: samlify.ServiceProviderInstance; user: SamlUser; acsTarget: string } | undefined;
  /** The AuthnRequests the browser brought, by binding. */
  readonly browserRequests: { binding: 'redirect' | 'post'; requestId: string }[] = [];

  private constructor(entityId: string, keys: KeyPair, baseUrl: string, server: Server, idp: samlify.IdentityProviderInstance) {
    this.entityId = entityId;
    this.keys = keys;
    this.baseUrl = baseUrl;
    this.#server = server;
    this.#idp = idp;
    this.#metadataXml = idp.getMetadata();
  }

  static async start(options: { encryptAssertions?: boolean; keys?: KeyPair } = {}): Promise<SamlIdp> {
    const keys = options.keys ?? (await generateKeyPair('Test IdP'));
    let self: SamlIdp | undefined;
    const server = createServer((request, response) => {
      if (request.url === '/metadata' && self) {
        response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(self.metadataOverride ?? self.metadataXml);
      } else if (request.url?.startsWith('/sso') && self?.browserLogin) {
        self.#answerBrowser(request, response).catch((error: Error) => response.writeHead(400).end(`IdP refused: ${error.message}`));
      } else if (request.url?.startsWith('/slo?')) {
        // The browser arriving with our LogoutRequest: a real IdP shows a page here while it signs
        // the person out. (Tests answer the request itself through answerLogout.) An empty 404
        // would make Chromium commit its own error page, racing the test's next navigation.
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Signing out</title><p>Signing you out…</p>');
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const entityId = `${baseUrl}/idp/${randomBytes(4).toString('hex')}`;
    const idp = SamlIdp.#makeIdp(entityId, keys, baseUrl, options.encryptAssertions ?? false);
    self = new SamlIdp(entityId, keys, baseUrl, server, idp);
    return self;
  }

  static #makeIdp(entityId: string, keys: KeyPair, baseUrl: string, encrypt: boolean) {
    return samlify.IdentityProvider({
      entityID: entityId,
      privateKey: keys.privateKey,
      signingCert: keys.certificate,
      wantAuthnRequestsSigned: true,
      wantLogoutRequestSigned: true,
      isAssertionEncrypted: encrypt,
      nameIDFormat: [EMAIL_FORMAT],
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      singleSignOnService: [
        { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${baseUrl}/sso` },
        { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: `${baseUrl}/sso` },
      ],
      singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${baseUrl}/slo` }],
    });
  }

  get metadataUrl(): string {
    return `${this.baseUrl}/metadata`;
  }

  get metadataXml(): string {
    return this.#metadataXml;
  }

  /** Encrypt assertions from now on (or not). */
  setEncryption(encrypt: boolean): void {
    this.#idp = SamlIdp.#makeIdp(this.entityId, this.keys, this.baseUrl, encrypt);
  }

  async #answerBrowser(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    const login = this.browserLogin!;
    let answer;
    if (request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += chunk;
      const form = Object.fromEntries(new URLSearchParams(body));
      answer = await this.answerLogin(login.sp, { form }, login.user);
      this.browserRequests.push({ binding: 'post', requestId: answer.requestId });
    } else {
      answer = await this.answerLogin(login.sp, { redirectUrl: `${this.baseUrl}${request.url}` }, login.user);
      this.browserRequests.push({ binding: 'redirect', requestId: answer.requestId });
    }
    // The IdP's own page (not Frontdoor's): it posts the answer back with a script, as IdPs do.
    response.writeHead(200, { 'content-type': 'text/html' }).end(
      `<!doctype html><form method="post" action="${esc(login.acsTarget)}"><input type="hidden" name="SAMLResponse" value="${esc(answer.SAMLResponse)}">` +
        `<input type="hidden" name="RelayState" value="${esc(answer.RelayState)}"><button>Continue</button></form><script>document.forms[0].submit()</script>`,
    );
  }

  /** Our SP as this IdP sees it, from the SP metadata XML we publish. */
  spFrom(spMetadataXml: string, options: { signResponse?: boolean } = {}): samlify.ServiceProviderInstance {
    return samlify.ServiceProvider({ metadata: spMetadataXml, wantMessageSigned: options.signResponse ?? true, wantLogoutResponseSigned: true, wantLogoutRequestSigned: true });
  }

  /**
   * Receives our AuthnRequest as the browser brings it (the Redirect URL, or the fields of
   * the POST form), verifies its signature, and answers with a SAMLResponse for `user`.
   */
  async answerLogin(
    sp: samlify.ServiceProviderInstance,
    request: { redirectUrl: string } | { form: Record<string, string> },
    user: SamlUser,
    tweaks: ResponseTweaks = {},
  ): Promise<{ SAMLResponse: string; RelayState: string; requestId: string }> {
    let parsed: { extract: Record<string, unknown> };
    let relayState: string;
    if ('redirectUrl' in request) {
      const url = new URL(request.redirectUrl);
      const rawQuery = url.search.slice(1);
      const octetString = rawQuery.split('&').filter((p) => !p.startsWith('Signature=')).join('&');
      const query = Object.fromEntries(url.searchParams);
      parsed = await this.#idp.parseLoginRequest(sp, 'redirect', { query, octetString });
      relayState = url.searchParams.get('RelayState') ?? '';
    } else {
      parsed = await this.#idp.parseLoginRequest(sp, 'post', { body: request.form });
      relayState = request.form.RelayState ?? '';
    }
    const requestId = String((parsed.extract.request as { id: string }).id);
    const response = await this.createResponse(sp, user, { inResponseTo: requestId, ...tweaks });
    return { SAMLResponse: response, RelayState: relayState, requestId };
  }

  /** A signed (and, if set, encrypted) SAMLResponse, base64, built by samlify. */
  async createResponse(sp: samlify.ServiceProviderInstance, user: SamlUser, tweaks: ResponseTweaks = {}): Promise<string> {
    const spMeta = (sp as unknown as { entityMeta: { getAssertionConsumerService(b: string): string; getEntityID(): string } }).entityMeta;
    const acs = spMeta.getAssertionConsumerService('post');
    const now = Date.now();
    const iso = (offset: number) => new Date(now + offset).toISOString();
    const id = `_${randomBytes(16).toString('hex')}`;
    const assertionId = `_${randomBytes(16).toString('hex')}`;
    const attribute = (name: string, values: string[] | undefined) =>
      values?.length
        ? `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`
        : '';
    const inResponseTo = tweaks.inResponseTo === null || tweaks.inResponseTo === undefined ? '' : ` InResponseTo="${esc(tweaks.inResponseTo)}"`;
    const issuer = esc(tweaks.issuer ?? this.entityId);
    const xml =
      `<samlp:Response xmlns:samlp="${NS_P}" xmlns:saml="${NS_A}" ID="${id}" Version="2.0" IssueInstant="${iso(0)}" Destination="${esc(tweaks.destination ?? acs)}"${inResponseTo}>` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${tweaks.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
      `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${iso(0)}">` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="${esc(user.nameIdFormat ?? EMAIL_FORMAT)}">${esc(user.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(tweaks.notOnOrAfterMs ?? 300_000)}" Recipient="${esc(tweaks.recipient ?? acs)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(tweaks.notBeforeMs ?? -5_000)}" NotOnOrAfter="${iso(tweaks.notOnOrAfterMs ?? 300_000)}"><saml:AudienceRestriction><saml:Audience>${esc(tweaks.audience ?? spMeta.getEntityID())}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${esc(user.sessionIndex ?? `_s${randomBytes(8).toString('hex')}`)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attribute('email', user.email ? [user.email] : undefined)}${attribute('firstName', user.firstName ? [user.firstName] : undefined)}${attribute('lastName', user.lastName ? [user.lastName] : undefined)}${attribute('groups', user.groups)}</saml:AttributeStatement>` +
      `</saml:Assertion></samlp:Response>`;
    const result = await this.#idp.createLoginResponse(sp, null as never, 'post', {}, { customTagReplacement: () => ({ id, context: xml }) });
    return (result as { context: string }).context;
  }

  /** Verifies our signed LogoutRequest (Redirect binding) and answers with a signed LogoutResponse URL. */
  async answerLogout(sp: samlify.ServiceProviderInstance, redirectUrl: string): Promise<{ responseUrl: string; nameId: string; sessionIndex: unknown }> {
    const url = new URL(redirectUrl);
    const octetString = url.search.slice(1).split('&').filter((p) => !p.startsWith('Signature=')).join('&');
    const parsed = await this.#idp.parseLogoutRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString });
    const { context } = this.#idp.createLogoutResponse(sp, parsed as never, 'redirect', url.searchParams.get('RelayState') ?? '') as { context: string };
    return { responseUrl: context, nameId: String(parsed.extract.nameID), sessionIndex: parsed.extract.sessionIndex };
  }

  /** An IdP-initiated LogoutRequest (signed, Redirect binding) for a person and session. */
  logoutRequestUrl(sp: samlify.ServiceProviderInstance, nameId: string, sessionIndex?: string): { url: string; id: string } {
    const { context, id } = this.#idp.createLogoutRequest(sp, 'redirect', { logoutNameID: nameId, ...(sessionIndex ? { sessionIndex } : {}) }, 'rs-idp') as { context: string; id: string };
    return { url: context, id };
  }

  /** The same, by HTTP-POST (an enveloped XML signature): the form fields the browser would post. */
  logoutRequestForm(sp: samlify.ServiceProviderInstance, nameId: string, sessionIndex?: string): Record<string, string> {
    const { context, relayState } = this.#idp.createLogoutRequest(sp, 'post', { logoutNameID: nameId, ...(sessionIndex ? { sessionIndex } : {}) }, 'rs-post') as { context: string; relayState?: string };
    return { SAMLRequest: context, RelayState: relayState ?? 'rs-post' };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
