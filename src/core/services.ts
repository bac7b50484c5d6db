import type { Config } from '../config.ts';
import { APP_CATALOG } from '../protocols/registry.ts';
import type { Database } from '../storage/database.ts';
import { AdminBypass } from './account/admin-bypass.ts';
import { Approvals } from './account/approvals.ts';
import { EmailValidation } from './account/email-validation.ts';
import { PasswordChange } from './account/password-change.ts';
import { PasswordReset } from './account/password-reset.ts';
import { SignInSessions } from './account/sign-in-sessions.ts';
import { AccountResolver } from './account-resolution.ts';
import { ConsoleResults } from './console-results.ts';
import { AccountTokens } from './account-tokens.ts';
import { ApiKeys } from './api-keys.ts';
import { AuthAppRegistry } from './apps.ts';
import { Articles } from './articles.ts';
import { AuditLog } from './audit.ts';
import { BrandSettings } from './brand.ts';
import { ExternalSignIn } from './external-sign-in.ts';
import { FirstRunSetup } from './first-run-setup.ts';
import { LanguageSettings } from './language-settings.ts';
import { createMailer, type Mailer } from './mail.ts';
import { Emails } from './mail-templates/emails.ts';
import { MailTemplates } from './mail-templates/store.ts';
import { systemClock, type Clock } from './clock.ts';
import { PasswordSignIn } from './password-sign-in.ts';
import { PeopleDirectory } from './people.ts';
import { PeopleImport } from './people-import.ts';
import { Registration } from './registration.ts';
import { RememberedDevices } from './remembered-devices.ts';
import { ReplayCache } from './replay-cache.ts';
import { SecretBox, loadOrCreateSecret } from './secrets.ts';
import { SessionCheck } from './session-check.ts';
import { SessionPolicy } from './session-policy.ts';
import { SessionStore } from './sessions.ts';
import { SsoTraces } from './sso-traces.ts';
import { SsoTransactionStore } from './sso-transactions.ts';
import { SignInThrottle } from './throttle.ts';
import { TwoFactor } from './two-factor.ts';
import { Usergroups } from './usergroups.ts';

/** The domain core, wired once per process and shared by the HTTP server and the CLI. */
export type Services = {
  db: Database;
  config: Config;
  clock: Clock;
  audit: AuditLog;
  people: PeopleDirectory;
  apps: AuthAppRegistry;
  sessions: SessionStore;
  /** Session lengths and "remember this device" per audience (console, API; the environment's values are the defaults). */
  sessionPolicy: SessionPolicy;
  /** Browsers that skip the second factor for one person until they expire. */
  rememberedDevices: RememberedDevices;
  /** The per-request "whose session is this cookie?", cached for under a second. */
  sessionCheck: SessionCheck;
  usergroups: Usergroups;
  articles: Articles;
  registration: Registration;
  passwordSignIn: PasswordSignIn;
  apiKeys: ApiKeys;
  accounts: AccountResolver;
  ssoTransactions: SsoTransactionStore;
  ssoTraces: SsoTraces;
  externalSignIn: ExternalSignIn;
  replay: ReplayCache;
  /** What the console shows one admin session for a while (a regenerated secret, a test sign-in's report). */
  consoleResults: ConsoleResults;
  mail: Mailer;
  /** Custom email templates per kind and language, and the rule every email is sent by. */
  mailTemplates: MailTemplates;
  /** Every email of Frontdoor, by kind and language, queued through `mail`. */
  emails: Emails;
  accountTokens: AccountTokens;
  throttle: SignInThrottle;
  twoFactor: TwoFactor;
  /** Sessions after a first factor: full, or waiting for the second factor or its set-up. */
  signInSessions: SignInSessions;
  emailValidation: EmailValidation;
  /** Agent approval of new Users. */
  approvals: Approvals;
  passwordReset: PasswordReset;
  passwordChange: PasswordChange;
  /** The emailed one-time sign-in link for admins (break-glass). */
  adminBypass: AdminBypass;
  /** Seals secrets at rest (app secrets, in-flight PKCE verifiers, ID tokens kept for logout). */
  secretBox: SecretBox;
  /** Key for CSRF tokens, shared by every node through the database. */
  csrfKey: Buffer;
  /** The first admin through a printed one-time link, while no admin exists. */
  setup: FirstRunSetup;
  /** CSV import of Users: a dry run, then the same plan applied row by row. */
  peopleImport: PeopleImport;
  /** The helpdesk's name, logo, colour and sign-in text, cached per process (pages and, next, emails). */
  brand: BrandSettings;
  /** Which languages the Help Center offers and its default (console, API). */
  languages: LanguageSettings;
};

export async function createServices(db: Database, config: Config, clock: Clock = systemClock, mail: Mailer = createMailer(config)): Promise<Services> {
  const encryptionKey = config.encryptionKey
    ? Buffer.from(config.encryptionKey, 'base64url')
    : await loadOrCreateSecret(db, 'app-secrets-encryption');
  const csrfKey = await loadOrCreateSecret(db, 'csrf');
  const audit = new AuditLog(db);
  const people = new PeopleDirectory(db);
  const brand = new BrandSettings(db, audit);
  // Emails sign with the helpdesk's own name once the brand has one (helpdesk-name.ts).
  const mailTemplates = new MailTemplates({ db, audit, brandName: async () => (await brand.current()).name });
  const emails = new Emails(mail, mailTemplates);
  const secretBox = new SecretBox(encryptionKey);
  const apps = new AuthAppRegistry(db, secretBox, audit, APP_CATALOG);
  const accountTokens = new AccountTokens(db, clock);
  const throttle = new SignInThrottle(db, clock, audit);
  const registration = new Registration(db, people, apps, audit, accountTokens, emails, config.publicUrl, throttle);
  const sessionPolicy = new SessionPolicy(db, audit, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs });
  const sessions = new SessionStore(db, clock, (audience) => sessionPolicy.timeouts(audience));
  const rememberedDevices = new RememberedDevices({ db, clock, audit, policy: sessionPolicy });
  const twoFactor = new TwoFactor({
    db, clock, box: secretBox, tokens: accountTokens, mail: emails, audit, throttle, people, registration, issuer: config.publicUrl.host, devices: rememberedDevices,
  });
  const signInSessions = new SignInSessions({ db, sessions, mail: emails, twoFactor, registration });
  const accounts = new AccountResolver(db, people, registration);
  const ssoTransactions = new SsoTransactionStore(db, clock, secretBox);
  const ssoTraces = new SsoTraces(db, clock);
  return {
    db,
    config,
    clock,
    audit,
    people,
    apps,
    sessions,
    sessionPolicy,
    rememberedDevices,
    sessionCheck: new SessionCheck(sessions, people, clock),
    usergroups: new Usergroups(db),
    articles: new Articles(db),
    registration,
    passwordSignIn: new PasswordSignIn({ people, apps, audit, throttle, flows: signInSessions, mail: emails, registration }),
    apiKeys: new ApiKeys(db),
    accounts,
    ssoTransactions,
    ssoTraces,
    externalSignIn: new ExternalSignIn(ssoTransactions, ssoTraces, accounts, sessions, audit, secretBox, signInSessions),
    mail,
    mailTemplates,
    emails,
    accountTokens,
    throttle,
    twoFactor,
    signInSessions,
    emailValidation: new EmailValidation({ db, people, audit, tokens: accountTokens, throttle, registration }),
    approvals: new Approvals({ db, people, audit, mail: emails, publicUrl: config.publicUrl }),
    passwordReset: new PasswordReset({
      db, people, apps, sessions, audit, tokens: accountTokens, mail: emails, throttle, registration, publicUrl: config.publicUrl, devices: rememberedDevices,
    }),
    passwordChange: new PasswordChange({ people, sessions, audit, tokens: accountTokens, throttle, registration, devices: rememberedDevices }),
    adminBypass: new AdminBypass({ people, audit, tokens: accountTokens, mail: emails, throttle, publicUrl: config.publicUrl }),
    secretBox,
    replay: new ReplayCache(db, clock),
    consoleResults: new ConsoleResults(db, clock, secretBox),
    csrfKey,
    setup: new FirstRunSetup({ db, people, audit, clock, publicUrl: config.publicUrl }),
    peopleImport: new PeopleImport({ db, people, audit }),
    brand,
    languages: new LanguageSettings(db, audit),
  };
}
