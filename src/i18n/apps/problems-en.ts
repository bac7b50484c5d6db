// English field problems (i18n/field-problems.ts): zod's issues said from their code and
// parameters, and the sentences our own schemas and console checks write. Part of enApps;
// problems-de.ts, problems-fr.ts and problems-es.ts have the same keys.

export const enFieldProblems = {
  // From zod's issue codes
  'apps.problem.greaterThan': 'More than {min}',
  'apps.problem.lessThan': 'Less than {max}',
  'apps.problem.tooFewItems': '{min, plural, one {Choose at least one} other {At least # entries}}',
  'apps.problem.tooManyItems': '{max, plural, one {At most one entry} other {At most # entries}}',
  'apps.problem.uuid': 'Not a valid id (UUID)',
  'apps.problem.format': 'Not in the expected form',
  'apps.problem.unknownKeys': 'Unknown settings: {keys}',
  'apps.problem.invalid': 'Not a valid value',

  // Our schemas' own sentences (src/core, src/protocols)
  'apps.problem.slug': 'Lowercase letters, digits and dashes, at most 63',
  'apps.problem.https': 'Must be https (http only for localhost)',
  'apps.problem.domain': 'Must be a domain like example.okta.com',
  'apps.problem.appType': 'One of: {options}',
  'apps.problem.clientCredential': 'Give a client secret, or a private key (JWK) with client authentication auto or private_key_jwt, or client authentication none for a public client',
  'apps.problem.entraTenant': 'The Directory (tenant) id, a GUID from the Entra overview page; multi-tenant (organizations, common) is not supported yet',
  'apps.problem.jwtMixedAlgorithms': 'Mixes shared-secret ({hmac}) and public-key ({asymmetric}) algorithms; choose one kind (key confusion)',
  'apps.problem.jwtNeedsSecret': '{algorithms} needs a shared secret: leave it empty at install to have one generated, or regenerate it on the app’s page',
  'apps.problem.jwtSecretTooShort': 'Must be at least {bytes} bytes for {algorithms}',
  'apps.problem.secretTooShort': 'Must be at least {bytes} bytes',
  'apps.problem.jwtKeyOrJwks': 'Give a public key or a JWKS URL, not both',
  'apps.problem.jwtNeedsKey': '{algorithms} needs the signing site’s public key (PEM or JWK) or its JWKS URL',
  'apps.problem.jwtPrivateKey': 'Is a private key: paste the public key only, and keep the private key on the signing server',
  'apps.problem.jwtPrivateJwk': 'Is a private or secret JWK: paste the public key only',
  'apps.problem.jwtNotPem': 'Must be a PEM public key (-----BEGIN PUBLIC KEY-----) or a JWK',
  'apps.problem.jwtUnreadableKey': 'Could not be read as a PEM public key or a JWK',
  'apps.problem.jwtKeyKind': 'Cannot verify {algorithm}: it needs {wanted}, this is {kind} key',
  'apps.problem.ldapUrl': 'An ldaps:// or ldap:// URL (scheme, host, port)',
  'apps.problem.ldapFilter': "Must hold '{username}'",
  'apps.problem.ldapEncrypted': 'Must be ldaps:// or use StartTLS (plain ldap:// only for localhost)',
  'apps.problem.fingerprint': 'A SHA-256 (64 hex digits) or SHA-1 (40 hex digits) fingerprint',
  'apps.problem.samlIdp': 'Give the identity service metadata (URL or XML), or its entity id, SSO URL and certificate',
  'apps.problem.samlAppId': 'The application id shown by the identity service',
  'apps.problem.tenant': 'A tenant id or tenant domain',
  'apps.problem.groupMapping': '“{line}”: not group = an existing usergroup name',
  'apps.problem.languageNotOffered': 'Not one of the languages offered',
  'apps.problem.searchTooShort': 'At least {min} characters',

  // The console's own checks as you type (routes/admin/app-validation.ts)
  'apps.problem.giveName': 'Give the app a name',
  'apps.problem.displayOrder': 'A whole number from -1000 to 1000',
  'apps.problem.giveSlug': 'Give a slug: the addresses below are built from it',
  'apps.problem.slugTaken': 'The slug {slug} is taken',
  'apps.problem.chooseType': 'Choose an audience and a type from the catalogue',
  'apps.problem.noSuchApp': 'No such app',

  // An email template's check (core/mail-templates/template-check.ts)
  'apps.problem.mailEmpty': 'Must not be empty.',
  'apps.problem.mailTooLong': 'Is {length} characters; at most {max}.',
  'apps.problem.mailOneLine': 'Must be one line: a line break in an email header could add headers of its own.',
  'apps.problem.mailControl': 'Contains a control character.',
  'apps.problem.mailUnknownVariable': '{variable} is not a variable of this email; it may use {variables}.',
  'apps.problem.mailVariableType': '{type, select, number {{variable} is a number} other {{variable} is text}}: it cannot be used as a {form} value.',
  'apps.problem.mailMissingVariable': 'Must contain {variable} (outside any plural or select): without it the email is useless.',
};

export type FieldProblemKey = keyof typeof enFieldProblems;
