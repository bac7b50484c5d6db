import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ExternalProfile } from '../core/account-resolution.ts';
import type { AuthApp } from '../core/apps.ts';
import type { AppFieldKey } from '../i18n/apps/fields-en.ts';
import type { ErrorCode, FrontdoorError } from '../core/errors.ts';
import type { SingleUse } from '../core/replay-cache.ts';
import type { Session } from '../core/sessions.ts';
import type { SsoTransaction, TestSignInOwner } from '../core/sso-transactions.ts';
import type { HttpContext } from '../http/context.ts';
import type { DiagnosticCheck } from './diagnostic-check.ts';

/**
 * One sign-in protocol (OIDC, SAML, JWT, ...): everything Frontdoor needs to know about it,
 * in one object exported from its folder and listed once in ./registry.ts. Vendors (Google,
 * Okta, ...) are presets of a protocol, not protocols (see registry.ts).
 */
export interface SignInProtocol {
  /** The protocol's name, e.g. `oidc`. */
  readonly name: string;
  /** Config keys split off, encrypted at rest and never sent back. */
  readonly secretKeys: readonly string[];
  /**
   * The app types this protocol serves, each a preset (the generic one included): the
   * `type` column names one. A preset marked `whenProtocolField` belongs to a type another
   * protocol owns and is chosen by `config.protocol` naming this protocol (Okta in SAML mode).
   */
  readonly presets: Readonly<Record<string, ProtocolPreset>>;
  /** The labels of the admin's copy-URLs (keys of `urlsToCopy`). */
  readonly urlLabels: Readonly<Record<string, string>>;
  /** Before a new app of this protocol is validated: fill what it generates itself (SAML SP keys). */
  prepareNew?(config: Record<string, unknown>, label: string): Promise<Record<string, unknown>>;
  /** The error codes this protocol raises (all in the one table of core/errors.ts). */
  readonly errorCodes: readonly ErrorCode[];
  /** The addresses an admin copies into the identity service. */
  urlsToCopy(app: Pick<AuthApp, 'slug' | 'type' | 'config'>, publicUrl: URL): Record<string, string>;
  /**
   * `GET /sso/:app/start`: send the browser to the identity service (the attempt saved first,
   * its trace id put in `attempt`). A throw is traced by the one failure path.
   */
  start(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, attempt: StartAttempt): Promise<FastifyReply>;
  /**
   * Its start keeps a server-side transaction (ExternalSignIn.begin) that the answer takes
   * back, so an admin's test sign-in can be marked in it (StartAttempt.test). A protocol whose
   * answer arrives without one (JWT, LDAP's form) has no test sign-in.
   */
  readonly testSignIn?: boolean;
  /** The endpoints where the identity service's answer arrives; each is handled by `finish`. */
  readonly finishEndpoints: readonly FinishEndpoint[];
  /**
   * Checks the answer at a finish endpoint and returns one verified sign-in. Fills `attempt`
   * as it learns (trace id, return_to, claims, skew) so that a refusal is traced with them.
   */
  finish(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, attempt: SignInAttempt): Promise<VerifiedSignIn>;
  /**
   * A refusal at a finish endpoint, already traced and audited: the protocol's own page for it
   * (LDAP's form again with the message, as the password form does), or undefined for the
   * error page every protocol shares.
   */
  refusalPage?(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, refusal: FrontdoorError, attempt: SignInAttempt): FastifyReply | undefined;
  /** Routes beyond start and finish (SAML metadata and SLO, OIDC back-channel logout). */
  registerRoutes?(fastify: FastifyInstance, ctx: HttpContext): void;
  /** Where signing out of an Automatic app's session ends (the identity service's logout). */
  logoutUrl?(ctx: HttpContext, session: Session, app: AuthApp): Promise<string | undefined>;
  /** The Test button: checks the setup without signing anyone in. */
  diagnose?(ctx: HttpContext, app: AuthApp): Promise<Diagnosis>;
  /** Where the reset form sends people who sign in only with this app; unset, the app's `lostPasswordUrl`. */
  lostPasswordUrl?(app: Pick<AuthApp, 'type' | 'config'>): string | undefined;
}

export type ProtocolPreset = {
  /** The default name of a new app (`Google`). */
  name: string;
  schema: z.ZodType;
  /** The fields of the admin console's form: every key of `schema` is one, or is in `managedKeys`. */
  fields: readonly ConfigField[];
  /** Keys of `schema` no admin types (the SAML SP keys Frontdoor generates; the mode a catalogue card sets). */
  managedKeys?: readonly string[];
  whenProtocolField?: boolean;
};

/**
 * How a setting is typed in the console. text, url, secret (never shown again; empty keeps it),
 * textarea, pem (one certificate or key), pemList (several PEM blocks pasted one after the
 * other), algorithm (one JWT algorithm, stored as a list), boolean (a switch), select (one of
 * `options`), list (one value per line), number.
 */
export type ConfigFieldKind = 'text' | 'url' | 'secret' | 'textarea' | 'pem' | 'pemList' | 'algorithm' | 'boolean' | 'select' | 'list' | 'number';

/** The fieldsets of the install and edit forms, in this order, with the message key of each legend. */
export const CONFIG_FIELD_GROUPS = {
  connection: 'apps.group.connection',
  claims: 'apps.group.claims',
  security: 'apps.group.security',
  logout: 'apps.group.logout',
} as const satisfies Record<string, AppFieldKey>;
export type ConfigFieldGroup = keyof typeof CONFIG_FIELD_GROUPS;

export type ConfigField = {
  /** The config key; a dotted path for a nested object (`claims.email`). */
  key: string;
  /** The message key of the label (src/i18n/apps/fields-en.ts): the form shows it in the page's language. */
  label: AppFieldKey;
  kind: ConfigFieldKind;
  /** The fieldset; connection unless said. */
  group?: ConfigFieldGroup;
  required?: boolean;
  /** The message key of the one-line consequence of the setting. */
  hint?: AppFieldKey;
  placeholder?: string;
  /** select: the values and their labels (a message key, or a technical name shown as it is). */
  options?: readonly (readonly [string, AppFieldKey | string])[];
};

export type FinishEndpoint = { method: 'GET' | 'POST'; path: string; bodyLimit?: number };

export type Diagnosis = { checks: DiagnosticCheck[]; /** A passing test unlocks Automatic mode (SAML). */ unlocksAutomatic?: boolean } & Record<string, unknown>;

/** What a finish endpoint has learnt about an attempt so far, for the trace of a refusal. */
export type SignInAttempt = {
  traceId?: string | undefined;
  /** Where a retry goes back to (the start's return_to), once known. */
  returnTo?: string | undefined;
  claims?: Record<string, unknown> | undefined;
  clockSkewMs?: number | undefined;
  /**
   * An admin's test sign-in. At the start, the protocol passes it to ExternalSignIn.begin with
   * its transaction; at the finish, it is read back from the transaction taken (never from the
   * request), so that a refusal is reported to the admin too.
   */
  test?: TestSignInOwner | undefined;
};

export type StartAttempt = SignInAttempt & { returnTo: string };

/** `https://help.example.com/sso/<slug>`: where every protocol's endpoints live. */
export function ssoBaseOf(app: Pick<AuthApp, 'slug'>, publicUrl: URL): string {
  return `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}/sso/${app.slug}`;
}

/** One verified answer of an identity service, ready for the one completion path. */
export type VerifiedSignIn = {
  /** The taken transaction (or, unsolicited, its trace id and landing page). */
  transaction: Pick<SsoTransaction, 'traceId' | 'returnTo'> & { secrets?: SsoTransaction['secrets'] };
  profile: ExternalProfile;
  clockSkewMs?: number | undefined;
  /** What the session remembers of the identity service's session (single logout). */
  external: { subject: string; sid?: string | undefined; idToken?: string | undefined };
  /** A one-time id of the answer still to be used up in the sign-in's first statement. */
  singleUse?: SingleUse | undefined;
};
