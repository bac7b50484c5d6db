import { z } from 'zod';
import { ExternalSettingsSchema, serviceUrl } from '../../core/app-config.ts';

/**
 * A plain OAuth 2.0 provider (no ID token): who the person is comes from the provider's API.
 * The GitHub preset's defaults are github.com's; GitHub Enterprise Server sets both URLs
 * (https://github.example.com and https://github.example.com/api/v3).
 */
export const GitHubConfigSchema = ExternalSettingsSchema.extend({
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(2000),
  /** Where the authorize and token endpoints live: /login/oauth/authorize, /login/oauth/access_token. */
  serverUrl: serviceUrl.default('https://github.com'),
  /** The REST API: /user and /user/emails. */
  apiUrl: serviceUrl.default('https://api.github.com'),
  /** read:user for the profile, user:email for the verified-email list (RFC 6749 section 3.3). */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1).default(['read:user', 'user:email']),
}).strict();

export type GitHubConfig = z.infer<typeof GitHubConfigSchema>;
