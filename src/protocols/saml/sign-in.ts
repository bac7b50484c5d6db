import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { externalSettingsOf } from '../../core/account-resolution.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError, isFrontdoorError, type ErrorCode } from '../../core/errors.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import type { Session } from '../../core/sessions.ts';
import { testOwnerOf, type SsoTransaction } from '../../core/sso-transactions.ts';
import { clearSessionCookie } from '../../http/cookies.ts';
import type { HttpContext } from '../../http/context.ts';
import { areaOf, browserHashOf, homeOf } from '../../http/external-sign-in-completion.ts';
import { html } from '../../http/html.ts';
import { layout } from '../../http/pages/layout.ts';
import { noteWhoIsSignedIn } from '../../http/errors.ts';
import { sendTracedError } from '../../http/refusal-traces.ts';
import { ssoBaseOf, type SignInAttempt, type SignInProtocol, type StartAttempt, type VerifiedSignIn } from '../sign-in-protocol.ts';
import { consumeSamlResponse, decodeBase64Message, type VerifiedAssertion } from './acs.ts';
import { readRedirectBinding, redirectBindingUrl, verifyPostBindingRoot } from './bindings.ts';
import { samlClient } from './client.ts';
import { diagnoseSamlApp } from './diagnostics.ts';
import type { IdpDescriptor } from './idp-metadata.ts';
import { logoutRequestXml, logoutResponseXml, newSamlId, readLogoutRequest, readLogoutResponse, type SamlSessionRef } from './logout.ts';
import { profileFromAssertion, samlSubject } from './profile.ts';
import { SAML_CONFIG_SCHEMAS } from './config.ts';
import { SAML_FIELDS, SAML_MANAGED_KEYS, SAML_PRESET_MANAGED_KEYS } from './fields.ts';
import { isSamlApp, samlConfigOf, samlUrlsFor, spKeysOf } from './settings.ts';
import { generateKeyPair } from './sp-keys.ts';
import { spMetadataXml } from './sp-metadata.ts';
import { verifyLogoutWithNodeSaml } from './verifier.ts';
import { parseUntrustedXml } from './xml.ts';

// SAML 2.0 service provider (docs/SAML.md): start sends a (signed) AuthnRequest, finish is the
// ACS, the extra routes are our metadata and single logout.

// A SAML Response with a few attributes and a signature is 5 to 20 KiB; encrypted and with
// many groups, rarely above 100 KiB. Above this the ACS refuses before parsing.
export const ACS_BODY_LIMIT_BYTES = 512 * 1024;
const SLO_BODY_LIMIT_BYTES = 128 * 1024;


// The one script Frontdoor serves: it submits the HTTP-POST binding form. The page's
// Content-Security-Policy allows exactly this script, by hash, and nothing else.
const AUTO_SUBMIT = 'document.forms[0].submit();';
const AUTO_SUBMIT_HASH = createHash('sha256').update(AUTO_SUBMIT).digest('base64');

async function samlParts(ctx: HttpContext, found: AuthApp, options: { refresh?: boolean } = {}) {
  const now = ctx.services.clock.now();
  const idp = await ctx.samlIdps.forApp(found, now, options);
  const keys = spKeysOf(found, await ctx.services.apps.secretsOf(found.id));
  return { idp, keys, config: samlConfigOf(found), sp: samlUrlsFor(found, ctx.services.config.publicUrl), now };
}

/** Transaction secrets of a SAML attempt: the AuthnRequest id (or, for our LogoutRequest, its id). */
type SamlSecrets = { requestId?: string; logoutRequestId?: string };

/** `GET /sso/:app/start` for a SAML app: a (signed) AuthnRequest by HTTP-Redirect or HTTP-POST. */
async function startSamlSignIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, found: AuthApp, attempt: StartAttempt) {
  const { idp, keys, config, sp } = await samlParts(ctx, found);
  // The configured binding when the IdP offers it, else the other one it does offer.
  const binding = config.authnRequestBinding === 'post' ? (idp.ssoPostUrl ? 'post' : 'redirect') : idp.ssoRedirectUrl ? 'redirect' : 'post';
  if (!(binding === 'post' ? idp.ssoPostUrl : idp.ssoRedirectUrl)) {
    throw new FrontdoorError('sso.saml.metadata_invalid', 'The identity service has no single sign-on address.', { check: 'idp_sso_url' });
  }
  const requestId = newSamlId();
  // The request id is the transaction key and the RelayState: the POST back needs no cookie
  // and may land on any node; the signed InResponseTo must then name this very request.
  const browserHash = browserHashOf(ctx, request, reply);
  const secrets: SamlSecrets = { requestId };
  attempt.traceId = await ctx.services.externalSignIn.begin(found, { state: requestId, returnTo: attempt.returnTo, browserHash, secrets, ip: request.ip, test: attempt.test });
  const client = samlClient(config, idp, sp, keys, { requestId, binding });
  if (binding === 'redirect') return reply.redirect(await client.getAuthorizeUrlAsync(requestId, undefined, {}), 302);
  const message = (await client.getAuthorizeMessageAsync(requestId, undefined, {})) as Record<string, string>;
  return sendPostForm(reply, found, idp.ssoPostUrl!, { SAMLRequest: message.SAMLRequest!, RelayState: requestId });
}

function sendPostForm(reply: FastifyReply, found: AuthApp, action: string, fields: Record<string, string>) {
  const origin = new URL(action).origin;
  reply.header(
    'content-security-policy',
    `default-src 'none'; style-src 'self'; script-src 'sha256-${AUTO_SUBMIT_HASH}'; form-action ${origin}; base-uri 'none'; frame-ancestors 'none'`,
  );
  const page = layout(
    { title: 'Signing in', area: areaOf(found) },
    html`<div class="card"><h1>Continuing to ${found.name}</h1>
<form method="post" action="${action}">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<p class="muted">If nothing happens, press the button.</p>
<button type="submit">Continue</button>
</form>
<script>${html`${AUTO_SUBMIT}`}</script></div>`,
  );
  return reply.code(200).type('text/html; charset=utf-8').send(page.value);
}

/** Where signing out of a SAML session goes: a signed LogoutRequest to the identity service's SLO address. */
async function samlLogoutUrlFor(ctx: HttpContext, session: Session, found: AuthApp): Promise<string | undefined> {
  const settings = externalSettingsOf(found);
  try {
    const { idp, keys, sp, now } = await samlParts(ctx, found);
    const sealed = await ctx.services.externalSignIn.sealedIdTokenOf(session.id);
    if (!idp.sloRedirectUrl || !sealed) return settings.logoutUrl;
    const ref = JSON.parse(sealed) as SamlSessionRef;
    const id = newSamlId();
    await ctx.services.ssoTransactions.save(id, {
      appId: found.id, audience: found.audience, browserHash: Buffer.alloc(0), returnTo: homeOf(found), traceId: 'logout', secrets: { logoutRequestId: id } satisfies SamlSecrets,
    });
    return redirectBindingUrl(idp.sloRedirectUrl, 'SAMLRequest', logoutRequestXml({ id, sp, destination: idp.sloRedirectUrl, ref, now }), id, keys.current.privateKey);
  } catch {
    // The identity service is unreachable: the local session is gone either way.
    return settings.logoutUrl;
  }
}

/** The ACS: the verified assertion, the attempt it answers (replay used up), the profile. */
async function finishSamlSignIn(ctx: HttpContext, request: FastifyRequest, _reply: FastifyReply, found: AuthApp, attempt: SignInAttempt): Promise<VerifiedSignIn> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const relayState = typeof body.RelayState === 'string' ? body.RelayState : undefined;
  let parts = await samlParts(ctx, found);
  let verified: VerifiedAssertion;
  try {
    verified = await consumeSamlResponse({ samlResponse: body.SAMLResponse, ...parts });
  } catch (error) {
    // The identity service may have rolled its key: fetch its metadata again, once.
    if (!(isFrontdoorError(error) && error.code === 'sso.saml.signature_invalid' && parts.idp.source === 'url')) throw error;
    parts = await samlParts(ctx, found, { refresh: true });
    verified = await consumeSamlResponse({ samlResponse: body.SAMLResponse, ...parts });
  }
  attempt.clockSkewMs = verified.clockSkewMs;
  attempt.claims = { issuer: verified.issuer, nameId: verified.nameId, assertionId: verified.assertionId };
  const transaction = await transactionFor(ctx, found, verified, relayState);
  attempt.traceId = transaction.traceId;
  attempt.returnTo = transaction.returnTo;
  attempt.test = testOwnerOf(transaction.secrets);
  const profile = profileFromAssertion({ ...parts.config, ...externalSettingsOf(found) }, verified);
  attempt.claims = profile.claims;
  const ref: SamlSessionRef = { nameId: verified.nameId, nameIdFormat: verified.nameIdFormat, sessionIndex: verified.sessionIndex };
  return {
    transaction,
    profile,
    clockSkewMs: verified.clockSkewMs,
    // For single logout: the session index, and (sealed) the NameID to name in a LogoutRequest.
    external: { subject: profile.subject, sid: verified.sessionIndex, idToken: JSON.stringify(ref) },
  };
}

/**
 * The in-flight sign-in this assertion answers, or (IdP-initiated, when allowed) a new one.
 * Replay: an assertion id is accepted once, by any node, for as long as it is valid; it is
 * used up in the same statement that takes the request it answers.
 */
async function transactionFor(ctx: HttpContext, found: AuthApp, verified: VerifiedAssertion, relayState: string | undefined): Promise<SsoTransaction> {
  const { services } = ctx;
  const replayKey = `saml:${verified.assertionId}`;
  const replayed = () => new FrontdoorError('sso.saml.replayed', 'This sign-in answer was already used. Please start again.', { check: 'replay', detail: verified.assertionId });
  if (verified.inResponseTo) {
    const taken = await services.ssoTransactions.takeOnFirstUse(verified.inResponseTo, services.replay.firstUseStatement(found.id, replayKey, verified.validUntil));
    if (!taken.firstUse) throw replayed();
    const transaction = taken.transaction;
    if (!transaction || transaction.appId !== found.id || transaction.secrets.requestId !== verified.inResponseTo) {
      throw new FrontdoorError('sso.saml.in_response_to_invalid', 'This sign-in answer does not belong to a sign-in started here, or it has expired. Please start again.', {
        check: 'in_response_to', detail: verified.inResponseTo,
      });
    }
    return transaction;
  }
  // Used up even when refused below: enabling IdP-initiated sign-in later must not revive it.
  if (!(await services.replay.firstUse(found.id, replayKey, verified.validUntil))) throw replayed();
  if (!samlConfigOf(found).allowIdpInitiated) {
    throw new FrontdoorError('sso.saml.unsolicited', 'Sign-in must start here, not at the identity service. Please start again.', { check: 'unsolicited' });
  }
  // IdP-initiated: RelayState may only name a path on PUBLIC_URL (never another site).
  const returnTo = safeReturnTo(relayState, services.config.publicUrl, homeOf(found));
  // Its trace is written once, with the outcome, like a JWT sign-in's.
  return { appId: found.id, audience: found.audience, browserHash: Buffer.alloc(0), returnTo, traceId: services.externalSignIn.beginUnsolicited(), secrets: {} };
}

function registerSamlRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;

  const findSamlApp = async (slug: string, options: { evenDisabled?: boolean } = {}): Promise<AuthApp> => {
    const found = await services.apps.find(slug);
    if (!found || !(found.enabled || options.evenDisabled) || !isSamlApp(found)) {
      throw new FrontdoorError('sso.app_unavailable', 'This sign-in method does not exist or is turned off.');
    }
    return found;
  };

  app.get<{ Params: { app: string } }>('/sso/:app/saml/metadata', async (request, reply) => {
    // Public, and served while the app is still disabled: the IdP is set up before people use it.
    const found = await findSamlApp(request.params.app, { evenDisabled: true });
    const keys = spKeysOf(found, await services.apps.secretsOf(found.id));
    return reply
      .type('application/samlmetadata+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('content-disposition', `inline; filename="${found.slug}-metadata.xml"`)
      .send(spMetadataXml(samlConfigOf(found), samlUrlsFor(found, services.config.publicUrl), keys.published));
  });

  const slo = async (request: FastifyRequest<{ Params: { app: string } }>, reply: FastifyReply) => {
    const found = await findSamlApp(request.params.app);
    const { idp, keys, config, sp, now } = await samlParts(ctx, found);
    const toleranceMs = config.clockToleranceSeconds * 1000;
    const isGet = request.method === 'GET';
    const fields = (isGet ? request.query : request.body ?? {}) as Record<string, unknown>;
    const kind = fields.SAMLRequest !== undefined ? 'SAMLRequest' : fields.SAMLResponse !== undefined ? 'SAMLResponse' : undefined;
    try {
      if (!kind) throw new FrontdoorError('sso.saml.logout_invalid', 'No SAML logout message in the request.', { check: 'message_present' });
      let doc: Document;
      let relayState: string | undefined;
      const rawQuery = request.url.split('?')[1] ?? '';
      let xml: string | undefined;
      if (isGet) {
        ({ doc, relayState } = readRedirectBinding(rawQuery, kind, idp.signingCertificates, config.allowSha1));
      } else {
        xml = decodeBase64Message(fields[kind], 128 * 1024);
        doc = verifyPostBindingRoot(xml, parseUntrustedXml(xml), idp.signingCertificates, config.allowSha1);
        relayState = typeof fields.RelayState === 'string' ? fields.RelayState : undefined;
      }
      // Our checks above, then node-saml's public API on the same message (verifier.ts).
      await verifyLogoutWithNodeSaml({
        binding: isGet ? 'redirect' : 'post', kind, rawQuery, xml, doc, certificates: idp.signingCertificates,
        idpEntityId: idp.entityId, spEntityId: sp.entityId, sloUrl: sp.sloUrl,
      });
      if (kind === 'SAMLResponse') return await finishSpLogout(found, idp, doc, reply);
      const logout = readLogoutRequest(doc, idp, sp, now, toleranceMs);
      if (!(await services.replay.firstUse(found.id, `saml-logout:${logout.id}`, logout.validUntil))) {
        throw new FrontdoorError('sso.saml.replayed', 'This logout request was already used.', { check: 'replay' });
      }
      const subject = samlSubject(idp.entityId, logout.nameId);
      let revoked = 0;
      for (const sid of logout.sessionIndexes.length ? logout.sessionIndexes : [undefined]) {
        revoked += await services.sessions.revokeExternal(found.id, { subject, sid }, 'single logout from the identity service');
      }
      await services.audit.record({
        action: 'signout.saml_slo', outcome: 'success', audience: found.audience, actor: { type: 'system' },
        target: { type: 'app', id: found.id }, ip: request.ip, details: { revoked, sessionIndexes: logout.sessionIndexes },
      });
      clearSessionCookie(reply, services.config, found.audience);
      const destination = idp.sloRedirectUrl;
      if (!destination) return signedOutPage(reply, found);
      const answer = logoutResponseXml({ id: newSamlId(), inResponseTo: logout.id, sp, destination, success: true, now });
      return reply.redirect(redirectBindingUrl(destination, 'SAMLResponse', answer, relayState, keys.current.privateKey), 302);
    } catch (error) {
      if (!isFrontdoorError(error)) throw error;
      await services.audit.record({
        action: 'signout.saml_slo', outcome: 'failure', reason: error.code, audience: found.audience, actor: { type: 'anonymous' },
        target: { type: 'app', id: found.id }, ip: request.ip, details: { check: error.failedCheck ?? null },
      });
      await noteWhoIsSignedIn(ctx, request, reply, error, found.audience);
      return sendTracedError(services, request, reply, error, { area: areaOf(found), app: found });
    }
  };

  const finishSpLogout = async (found: AuthApp, idp: IdpDescriptor, doc: Document, reply: FastifyReply) => {
    const answer = readLogoutResponse(doc, idp, samlUrlsFor(found, services.config.publicUrl));
    const transaction = await services.ssoTransactions.take(answer.inResponseTo);
    if (!transaction || transaction.appId !== found.id || transaction.secrets.logoutRequestId !== answer.inResponseTo) {
      throw new FrontdoorError('sso.saml.in_response_to_invalid', 'This logout answer does not belong to a sign-out started here.', { check: 'in_response_to' });
    }
    // The local session was revoked before the browser left; a failed status only means the
    // identity service kept its own session, which the page says.
    return signedOutPage(reply, found, answer.success ? undefined : (answer.status ?? "no status"));
  };

  const signedOutPage = (reply: FastifyReply, found: AuthApp, problem?: string) =>
    reply
      .code(200)
      .type('text/html; charset=utf-8')
      .send(
        layout(
          { title: 'Signed out', area: areaOf(found) },
          html`<div class="card"><h1>You are signed out</h1>
<p>${problem ? `You are signed out here, but ${found.name} reported a problem ending its own session (${problem}).` : `You are signed out here and at ${found.name}.`}</p>
<p><a class="button" href="/sso/${found.slug}/start?retry=1">Sign in again</a></p></div>`,
        ).value,
      );

  app.get<{ Params: { app: string } }>('/sso/:app/saml/slo', slo);
  app.post<{ Params: { app: string } }>('/sso/:app/saml/slo', { bodyLimit: SLO_BODY_LIMIT_BYTES }, slo);
}

const ERROR_CODES: readonly ErrorCode[] = [
  'sso.saml.too_large', 'sso.saml.message_invalid', 'sso.saml.xml_forbidden', 'sso.saml.structure_invalid', 'sso.saml.signature_invalid',
  'sso.saml.algorithm_forbidden', 'sso.saml.issuer_invalid', 'sso.saml.destination_invalid', 'sso.saml.recipient_invalid',
  'sso.saml.audience_invalid', 'sso.saml.time_invalid', 'sso.saml.status_error', 'sso.saml.subject_invalid', 'sso.saml.encryption_required',
  'sso.saml.decryption_failed', 'sso.saml.in_response_to_invalid', 'sso.saml.unsolicited', 'sso.saml.replayed', 'sso.saml.metadata_invalid',
  'sso.saml.logout_invalid',
];

/** The addresses an admin copies into the identity service: no OIDC callback here. */
function samlUrlsToCopy(app: Pick<AuthApp, 'slug' | 'type' | 'config'>, publicUrl: URL): Record<string, string> {
  const saml = samlUrlsFor(app, publicUrl);
  return { start: `${ssoBaseOf(app, publicUrl)}/start`, entityId: saml.entityId, acs: saml.acsUrl, slo: saml.sloUrl, metadata: saml.metadataUrl };
}

export const samlProtocol: SignInProtocol = {
  name: 'saml',
  presets: {
    saml: { name: 'SAML', schema: SAML_CONFIG_SCHEMAS.saml, fields: SAML_FIELDS.saml, managedKeys: SAML_MANAGED_KEYS },
    // The vendors' SAML mode: their catalogue cards set `protocol: "saml"` (docs/SAML.md).
    okta: { name: 'Okta', schema: SAML_CONFIG_SCHEMAS.okta, fields: SAML_FIELDS.okta, managedKeys: SAML_PRESET_MANAGED_KEYS, whenProtocolField: true },
    onelogin: { name: 'OneLogin', schema: SAML_CONFIG_SCHEMAS.onelogin, fields: SAML_FIELDS.onelogin, managedKeys: SAML_PRESET_MANAGED_KEYS, whenProtocolField: true },
    microsoft: { name: 'Microsoft', schema: SAML_CONFIG_SCHEMAS.microsoft, fields: SAML_FIELDS.microsoft, managedKeys: SAML_PRESET_MANAGED_KEYS, whenProtocolField: true },
  },
  urlLabels: {
    start: 'Sign-in start', entityId: 'SP entity id', acs: 'ACS (Assertion Consumer Service) URL', slo: 'Single logout URL', metadata: 'SP metadata URL',
  },
  // Each SAML app gets its own SP key pair at install, so its metadata is complete at once.
  prepareNew: async (config, label) => {
    if (config.spPrivateKey) return config;
    const pair = await generateKeyPair(`Frontdoor SAML ${label}`);
    return { ...config, spPrivateKey: pair.privateKey, spCertificate: pair.certificate };
  },
  secretKeys: ['spPrivateKey', 'spNextPrivateKey', 'spPreviousPrivateKey'],
  errorCodes: ERROR_CODES,
  urlsToCopy: samlUrlsToCopy,
  start: startSamlSignIn,
  testSignIn: true,
  finishEndpoints: [{ method: 'POST', path: '/sso/:app/saml/acs', bodyLimit: ACS_BODY_LIMIT_BYTES }],
  finish: finishSamlSignIn,
  registerRoutes: registerSamlRoutes,
  logoutUrl: samlLogoutUrlFor,
  diagnose: async (ctx, app) => ({
    ...(await diagnoseSamlApp(ctx.samlIdps, app, await ctx.services.apps.secretsOf(app.id), ctx.services.config.publicUrl, ctx.services.clock.now())),
    // Automatic mode for a SAML app waits for a passing test (app.test_sign_in_required).
    unlocksAutomatic: true,
  }),
};
