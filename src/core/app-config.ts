import { z } from 'zod';

// The typed configuration of each kind of auth app. The protocol issues (OIDC, SAML, JWT)
// grow these schemas; what is here is what the registry needs to store and validate them.
// Keys listed in SECRET_KEYS are split off, encrypted at rest and never sent back.

export const APP_TYPES = ['password', 'google', 'microsoft', 'okta', 'onelogin', 'oidc', 'saml', 'jwt'] as const;
export type AppType = (typeof APP_TYPES)[number];
export const AppTypeSchema = z.enum(APP_TYPES);

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });
// Plain http is accepted only for loopback identity services (local development and tests).
const serviceUrl = z.url({ protocol: /^https?$/ }).refine(
  (value) => value.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(value),
  'must be https (http only for localhost)',
);
const clientId = z.string().trim().min(1).max(500);
const clientSecret = z.string().min(1).max(2000);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain like example.okta.com');

const oidcClaims = z
  .object({ email: z.string().min(1).default('email'), name: z.string().min(1).default('name'), groups: z.string().min(1).optional() })
  .strict();

export const APP_CONFIG_SCHEMAS = {
  password: z.object({}).strict(),
  oidc: z
    .object({
      issuer: serviceUrl,
      clientId,
      clientSecret: clientSecret.optional(),
      scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1).default(['openid', 'email', 'profile']),
      claims: oidcClaims.default({ email: 'email', name: 'name' }),
    })
    .strict(),
  google: z
    .object({ clientId, clientSecret: clientSecret.optional(), hostedDomains: z.array(domain).default([]) })
    .strict(),
  microsoft: z
    .object({
      tenant: z.string().trim().regex(/^([0-9a-f-]{36}|organizations|common|consumers|[a-z0-9.-]+)$/i).default('organizations'),
      clientId,
      clientSecret: clientSecret.optional(),
    })
    .strict(),
  okta: z.object({ domain, clientId, clientSecret: clientSecret.optional() }).strict(),
  onelogin: z.object({ domain, clientId, clientSecret: clientSecret.optional() }).strict(),
  saml: z
    .object({
      idpMetadataUrl: serviceUrl.optional(),
      idpMetadataXml: z.string().min(1).max(1_000_000).optional(),
      idpEntityId: z.string().min(1).max(1000).optional(),
      idpSsoUrl: serviceUrl.optional(),
      idpSloUrl: serviceUrl.optional(),
      idpCertificate: z.string().min(1).max(20_000).optional(),
    })
    .strict()
    .refine(
      (c) => c.idpMetadataUrl || c.idpMetadataXml || (c.idpEntityId && c.idpSsoUrl && c.idpCertificate),
      'give the identity service metadata (URL or XML), or its entity id, SSO URL and certificate',
    ),
  jwt: z
    .object({
      remoteLoginUrl: serviceUrl,
      logoutUrl: serviceUrl.optional(),
      algorithms: z.array(z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'EdDSA'])).min(1).default(['HS256']),
      sharedSecret: z.string().min(32, 'must be at least 32 bytes').max(1000).optional(),
    })
    .strict(),
} satisfies Record<AppType, z.ZodType>;

export const SECRET_KEYS: Record<AppType, readonly string[]> = {
  password: [],
  oidc: ['clientSecret'],
  google: ['clientSecret'],
  microsoft: ['clientSecret'],
  okta: ['clientSecret'],
  onelogin: ['clientSecret'],
  saml: [],
  jwt: ['sharedSecret'],
};

/** Splits a validated config into what is stored in clear and what is encrypted. */
export function splitSecrets(type: AppType, config: Record<string, unknown>) {
  const publicPart: Record<string, unknown> = {};
  const secretPart: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    (SECRET_KEYS[type].includes(key) ? secretPart : publicPart)[key] = value;
  }
  return { publicPart, secretPart };
}

export function defaultAppName(type: AppType): string {
  const names: Record<AppType, string> = {
    password: 'Email and password',
    google: 'Google',
    microsoft: 'Microsoft',
    okta: 'Okta',
    onelogin: 'OneLogin',
    oidc: 'OpenID Connect',
    saml: 'SAML',
    jwt: 'JWT',
  };
  return names[type];
}
