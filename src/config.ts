import { z } from 'zod';

// Every setting comes from the environment (twelve-factor); docs/CONFIGURATION.md and the
// README table list the same names and defaults as this schema.
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .default('http://localhost:8080')
    .transform((value) => value.replace(/\/+$/, '')),
  DATABASE_URL: z.string().min(1).optional(),
  FRONTDOOR_DATA_DIR: z.string().min(1).default('./data'),
  FRONTDOOR_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}=?$/, 'must be 32 bytes, base64url (openssl rand -base64 32 | tr "+/" "-_")')
    .optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be smtp://user:pass@host:port or smtps://...' }).optional(),
  MAIL_FROM: z.string().min(3).max(300).default('Frontdoor <frontdoor@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 90).default(8 * 60),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(24 * 30),
  // Retention (src/core/retention.ts); 0 keeps the rows forever.
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  SSO_TRACE_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
});

export type Config = {
  port: number;
  host: string;
  publicUrl: URL;
  databaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: string | undefined;
  smtpUrl: string | undefined;
  /** The From of every email Frontdoor sends. */
  mailFrom: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** Audit events and SSO traces older than these many days are pruned in batches; 0 keeps them. */
  retention: { auditDays: number; traceDays: number };
  /** Cookies are Secure (and __Host- prefixed) when the public URL is https. */
  secureCookies: boolean;
};

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  const publicUrl = new URL(c.PUBLIC_URL);
  return {
    port: c.PORT,
    host: c.HOST,
    publicUrl,
    databaseUrl: c.DATABASE_URL,
    dataDir: c.FRONTDOOR_DATA_DIR,
    encryptionKey: c.FRONTDOOR_ENCRYPTION_KEY,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    logLevel: c.LOG_LEVEL,
    sessionIdleMs: c.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: c.SESSION_ABSOLUTE_HOURS * 3_600_000,
    retention: { auditDays: c.AUDIT_RETENTION_DAYS, traceDays: c.SSO_TRACE_RETENTION_DAYS },
    secureCookies: publicUrl.protocol === 'https:',
  };
}
