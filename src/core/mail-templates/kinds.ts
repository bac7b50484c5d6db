// The emails Frontdoor sends, and what each may say (issue 18 part 9). A kind declares its
// variables: their names are what a template writes as {name}, their types decide which ICU
// forms fit ({expiresMinutes, plural, ...} needs a number), and `required` marks the ones
// without which the email is useless (a reset email without its {link} resets nothing).
// `sample` is what the console's preview and test send fill in.

export type VariableType = 'string' | 'number';
export type VariableSpec = {
  readonly type: VariableType; readonly required: boolean; readonly description: string; readonly sample: string | number;
  /** Its value is ours and may span lines (appLinks: one line per service); every other value is made one line (render.ts). */
  readonly lines?: true;
};

type KindSpec = { readonly label: string; readonly when: string; readonly variables: Readonly<Record<string, VariableSpec>> };

const text = (description: string, sample: string, required = false) => ({ type: 'string' as const, required, description, sample });
const count = (description: string, sample: number, required = false) => ({ type: 'number' as const, required, description, sample });

/** Every template may name the person and the helpdesk. */
const COMMON = {
  name: text('The person’s name', 'Ada Lovelace'),
  helpdeskName: text('The helpdesk’s name', 'the helpdesk'),
} as const;

export const MAIL_KINDS = {
  emailValidation: {
    label: 'Email validation', when: 'After registration, when the email must be confirmed.',
    variables: { ...COMMON, link: text('The one-time confirmation link', 'https://help.example.com/register/validate?token=sample', true), expiresHours: count('Hours until the link expires', 24) },
  },
  passwordReset: {
    label: 'Password reset', when: 'When someone with a password asks to reset it (or an admin sends a reset link).',
    variables: { ...COMMON, link: text('The one-time reset link', 'https://help.example.com/password/reset?token=sample', true), expiresMinutes: count('Minutes until the link expires', 60) },
  },
  passwordResetExternal: {
    label: 'Password reset, external sign-in', when: 'When someone who signs in only through an identity service asks to reset a password.',
    variables: {
      ...COMMON,
      appNames: text('The sign-in services they use, joined with “or”', 'Okta or Google'),
      appLinks: { ...text('One line per service: its name and where to change the password', 'Okta: https://example.okta.com/signin/forgot-password', true), lines: true as const },
    },
  },
  registrationAttempt: {
    label: 'Registration with a taken email', when: 'When someone tries to register with the email of an existing account.',
    variables: { ...COMMON, loginLink: text('The sign-in page', 'https://help.example.com/login', true), resetLink: text('The forgotten-password page', 'https://help.example.com/password/forgot', true) },
  },
  emailCode: {
    label: 'Sign-in code', when: 'When the second factor is a code sent by email.',
    variables: { ...COMMON, code: text('The one-time code', '492817', true), expiresMinutes: count('Minutes until the code expires', 10) },
  },
  newDevice: {
    label: 'New sign-in', when: 'After a sign-in from an address not seen before.',
    variables: { ...COMMON, at: text('When (UTC)', '2026-03-02T10:00:00.000Z'), ip: text('The address signed in from', '203.0.113.7'), userAgent: text('The browser', 'Mozilla/5.0 (X11; Linux x86_64)') },
  },
  failedSignIns: {
    label: 'Failed sign-ins', when: 'When many wrong passwords pause sign-ins to an account.',
    variables: { ...COMMON, ip: text('The last address that tried', '203.0.113.7'), until: text('When sign-ins from there may resume (UTC)', '2026-03-02T10:15:00.000Z') },
  },
  approved: {
    label: 'Account approved', when: 'When an agent approves a registration.',
    variables: { ...COMMON, link: text('The sign-in page', 'https://help.example.com/login', true) },
  },
  adminBypass: {
    label: 'Admin sign-in link', when: 'When an admin asks for the break-glass sign-in link.',
    variables: { ...COMMON, link: text('The one-time admin sign-in link', 'https://help.example.com/agent/login/bypass/sample', true), expiresMinutes: count('Minutes until the link expires', 5) },
  },
} as const satisfies Record<string, KindSpec>;

export type MailKind = keyof typeof MAIL_KINDS;
export const MAIL_KIND_NAMES = Object.keys(MAIL_KINDS) as MailKind[];

export function isMailKind(value: unknown): value is MailKind {
  return typeof value === 'string' && Object.hasOwn(MAIL_KINDS, value);
}

type SpecsOf<K extends MailKind> = (typeof MAIL_KINDS)[K]['variables'];
type ValueOf<T> = T extends 'number' ? number : string;
/** What a call site passes for a kind: every variable but helpdeskName, which the renderer fills in. */
export type MailVariables<K extends MailKind> = {
  [V in Exclude<keyof SpecsOf<K>, 'helpdeskName'>]: SpecsOf<K>[V] extends { type: infer T } ? ValueOf<T> : never;
};

export function variablesOf(kind: MailKind): Readonly<Record<string, VariableSpec>> {
  return MAIL_KINDS[kind].variables;
}

/** The sample values of a kind, for previews and test sends. */
export function sampleValues(kind: MailKind): Record<string, string | number> {
  return Object.fromEntries(Object.entries(variablesOf(kind)).map(([name, spec]) => [name, spec.sample]));
}

/** A subject or body, as an ICU message (plain text; `{name}` is a variable, `'{'` a literal brace). */
export type MailTemplate = { subject: string; body: string };
