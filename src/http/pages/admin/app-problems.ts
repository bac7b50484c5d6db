import type { FieldProblem, ZodIssueFacts } from '../../../core/field-problems.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { t, type MessageValues } from '../../../i18n/t.ts';
import { currentPage } from '../../page-context.ts';

// The problems shown under a console form's field and in its refusal box (blocks.ts), and by
// validation as you type (routes/admin/app-validation.ts), in the page's language. A problem zod
// found itself carries its issue (core/field-problems.ts) and is said from the issue's code and
// parameters, whatever words zod's English uses. A problem our own schemas or checks wrote is a
// fixed sentence, recognised here (OUR_WORDS; test/i18n/field-problems.test.ts finds every such
// sentence in src/ and fails on one missing here). Anything else stays as it came. The admin API
// answers in English (details.fields), and English pages show the problem unchanged.

type Translation = [MessageKey, MessageValues?];

/** What zod found, said from its code and parameters. */
function fromIssue(issue: ZodIssueFacts, missing: boolean): Translation {
  const list = (origin: string | undefined) => origin === 'array' || origin === 'set';
  switch (issue.code) {
    case 'invalid_type':
      if (missing) return ['apps.problem.required'];
      if (issue.expected === 'int') return ['apps.problem.integer'];
      if (issue.expected === 'number') return ['apps.problem.number'];
      return ['apps.problem.invalid'];
    case 'too_small': {
      const min = issue.minimum ?? 0;
      if (issue.origin === 'string') return min <= 1 ? ['apps.problem.required'] : ['apps.problem.tooShort', { min }];
      if (list(issue.origin)) return ['apps.problem.tooFewItems', { min }];
      return issue.inclusive === false ? ['apps.problem.greaterThan', { min }] : ['apps.problem.min', { min }];
    }
    case 'too_big': {
      const max = issue.maximum ?? 0;
      if (issue.origin === 'string') return ['apps.problem.tooLong', { max }];
      if (list(issue.origin)) return ['apps.problem.tooManyItems', { max }];
      return issue.inclusive === false ? ['apps.problem.lessThan', { max }] : ['apps.problem.max', { max }];
    }
    case 'invalid_format':
      if (issue.format === 'url') return ['apps.problem.url'];
      if (issue.format === 'email') return ['apps.problem.email'];
      if (issue.format === 'uuid' || issue.format === 'guid') return ['apps.problem.uuid'];
      return ['apps.problem.format'];
    case 'invalid_value':
      return issue.values?.length ? ['apps.problem.option', { options: issue.values.join(', ') }] : ['apps.problem.invalid'];
    case 'unrecognized_keys':
      return issue.keys?.length ? ['apps.problem.unknownKeys', { keys: issue.keys.join(', ') }] : ['apps.problem.invalid'];
    default:
      return ['apps.problem.invalid'];
  }
}

const n = (m: RegExpExecArray, i = 1) => Number(m[i]);

/** The sentences our schemas (src/core, src/protocols) and console checks write, each as a message. */
export const OUR_WORDS: readonly [RegExp, (m: RegExpExecArray) => Translation][] = [
  [/^a name is required$/, () => ['apps.problem.required']],
  [/^not an email address$/, () => ['apps.problem.email']],
  [/^at most (\d+) characters$/, (m) => ['apps.problem.tooLong', { max: n(m) }]],
  [/^has control characters$/, () => ['apps.problem.controlCharacters']],
  [/^offer at least one language$/, () => ['apps.problem.oneLanguage']],
  [/^lowercase letters, digits and dashes, at most 63$/, () => ['apps.problem.slug']],
  [/^must be https \(http only for localhost\)$/, () => ['apps.problem.https']],
  [/^must be a domain like example\.okta\.com$/, () => ['apps.problem.domain']],
  [/^one of ((?:[A-Za-z0-9_-]+, )*[A-Za-z0-9_-]+)$/, (m) => ['apps.problem.appType', { options: m[1]! }]],
  [/^give clientSecret, or privateKeyJwk \(with clientAuth auto or private_key_jwt\), or clientAuth none for a public client$/, () => ['apps.problem.clientCredential']],
  [/^the Directory \(tenant\) id, a GUID from the Entra overview page; multi-tenant \(organizations, common\) is not supported yet$/, () => ['apps.problem.entraTenant']],
  [/^mixes shared-secret \((.+)\) and public-key \((.+)\) algorithms; choose one kind \(key confusion\)$/, (m) => ['apps.problem.jwtMixedAlgorithms', { hmac: m[1]!, asymmetric: m[2]! }]],
  [/^(.+) needs a shared secret: generate one with POST \/api\/v1\/apps\/\{id\}\/jwt-secret$/, (m) => ['apps.problem.jwtNeedsSecret', { algorithms: m[1]! }]],
  [/^must be at least (\d+) bytes for (.+)$/, (m) => ['apps.problem.jwtSecretTooShort', { bytes: n(m), algorithms: m[2]! }]],
  [/^must be at least (\d+) bytes$/, (m) => ['apps.problem.secretTooShort', { bytes: n(m) }]],
  [/^give publicKey or jwksUrl, not both$/, () => ['apps.problem.jwtKeyOrJwks']],
  [/^(.+) needs the signing site's publicKey \(PEM or JWK\) or its jwksUrl$/, (m) => ['apps.problem.jwtNeedsKey', { algorithms: m[1]! }]],
  [/^is a private key: paste the public key only, and keep the private key on the signing server$/, () => ['apps.problem.jwtPrivateKey']],
  [/^is a private or secret JWK: paste the public key only$/, () => ['apps.problem.jwtPrivateJwk']],
  [/^must be a PEM public key \(-----BEGIN PUBLIC KEY-----\) or a JWK$/, () => ['apps.problem.jwtNotPem']],
  [/^could not be read as a PEM public key or a JWK$/, () => ['apps.problem.jwtUnreadableKey']],
  [/^cannot verify (\S+): it needs (.+), this is (.+) key$/, (m) => ['apps.problem.jwtKeyKind', { algorithm: m[1]!, wanted: m[2]!, kind: m[3]! }]],
  [/^an ldaps:\/\/ or ldap:\/\/ URL \(scheme, host, port\)$/, () => ['apps.problem.ldapUrl']],
  [/^holds \{username\}$/, () => ['apps.problem.ldapFilter']],
  [/^must be ldaps:\/\/ or use StartTLS \(plain ldap:\/\/ only for localhost\)$/, () => ['apps.problem.ldapEncrypted']],
  [/^a SHA-256 \(64 hex digits\) or SHA-1 \(40 hex digits\) fingerprint$/, () => ['apps.problem.fingerprint']],
  [/^give the identity service metadata \(URL or XML\), or its entity id, SSO URL and certificate$/, () => ['apps.problem.samlIdp']],
  [/^the application id shown by the identity service$/, () => ['apps.problem.samlAppId']],
  [/^a tenant id or tenant domain$/, () => ['apps.problem.tenant']],
  [/^“(.*)”: not group = an existing usergroup name$/s, (m) => ['apps.problem.groupMapping', { line: m[1]! }]],
  [/^not (?:one of the languages offered|a language offered)$/, () => ['apps.problem.languageNotOffered']],
  [/^at least (\d+) characters$/, (m) => ['apps.problem.searchTooShort', { min: n(m) }]],
  [/^unknown type$/, () => ['apps.problem.chooseType']],
  // An email template's check (core/mail-templates/template-check.ts); its syntax hints stay English.
  [/^must not be empty\.$/, () => ['apps.problem.mailEmpty']],
  [/^is (\d+) characters; at most (\d+)\.$/, (m) => ['apps.problem.mailTooLong', { length: n(m), max: n(m, 2) }]],
  [/^must be one line: a line break in an email header could add headers of its own\.$/, () => ['apps.problem.mailOneLine']],
  [/^contains a control character\.$/, () => ['apps.problem.mailControl']],
  [/^(\{\w+\}) is not a variable of this email; it may use (.+)\.$/, (m) => ['apps.problem.mailUnknownVariable', { variable: m[1]!, variables: m[2]! }]],
  [/^(\{\w+\}) is (a number|text): it cannot be used as a (\w+) value\.$/, (m) => ['apps.problem.mailVariableType', { variable: m[1]!, type: m[2] === 'a number' ? 'number' : 'text', form: m[3]! }]],
  [/^must contain (\{\w+\}) \(outside any plural or select\): without it the email is useless\.$/, (m) => ['apps.problem.mailMissingVariable', { variable: m[1]! }]],
];

/** A problem (a field problem from a refusal, or a sentence) in the page's language. */
export function problemInPageLanguage(found: FieldProblem | string): string {
  const problem = typeof found === 'string' ? found : found.problem;
  if (currentPage().language === 'en') return problem;
  const issue = typeof found === 'string' ? undefined : found.issue;
  if (issue) {
    const [key, values] = fromIssue(issue, issue.missing === true);
    return t(key, values);
  }
  for (const [pattern, translation] of OUR_WORDS) {
    const match = pattern.exec(problem);
    if (match) {
      const [key, values] = translation(match);
      return t(key, values);
    }
  }
  return problem;
}
