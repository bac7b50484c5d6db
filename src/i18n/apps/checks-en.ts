// English details of the checks of an app's Test and of a pasted token's report (written by
// src/protocols/*/diagnostics.ts, jwt/token-check.ts and http/app-test.ts as a key and its
// values, i18n/check-details.ts). The admin API answers these English sentences as each
// check's `detail`, word for word as before they were messages: keep them so. Values are what
// the service or the network gave (addresses, codes, error texts) and stay as they came.
// Straight apostrophes here, unlike the other catalogues: the API has always answered them.
// Part of enApps.

export const enCheckDetails = {
  // Shared by every protocol
  'check.cause': '{message}',
  'check.whereCause': '{where}: {message}',
  'check.refusal': '{refusal}',
  'check.notRun': '{refusal} ({code})',
  'check.duration': '{unit, select, second {{count, plural, one {# second} other {# seconds}}} minute {{count, plural, one {# minute} other {# minutes}}} hour {{count, plural, one {# hour} other {# hours}}} other {{count, plural, one {# day} other {# days}}}}',

  // JWT (jwt/diagnostics.ts)
  'check.jwt.algorithms': '{count, plural, =0 {accepted: none} other {accepted: {algorithms}}}',
  'check.jwt.key.unreadable': 'the key cannot be read: {message}',
  'check.jwt.key.secret': 'a shared secret is set',
  'check.jwt.key.publicKey': 'the public key reads as a key',
  'check.jwt.jwks.status': '{url} answered HTTP {status}',
  'check.jwt.jwks.keys': '{url} lists {count, plural, other {# key(s)}}',
  'check.jwt.jwks.noKeys': '{url} answered without keys',

  // LDAP (ldap/diagnostics.ts)
  'check.ldap.connect.answered': '{url} answered over {transport, select, ldaps {LDAPS} starttls {StartTLS} other {plain LDAP (loopback)}}',
  'check.ldap.service_bind.bound': 'bound as {bindDn}',
  'check.ldap.search.found': '{username} is {dn}',
  'check.ldap.search.none': 'the user filter finds no single entry for {username} under {baseDn} (none, several, or one without {idAttribute} or {usernameAttribute})',
  'check.ldap.account.disabled': '{dn} is disabled (userAccountControl): it cannot sign in',

  // GitHub (oauth2/diagnostics.ts)
  'check.github.clientId': 'client id {clientId}',
  'check.github.clientIdOdd': 'the client id has characters GitHub never uses (a space or a quote copied with it?)',
  'check.github.secretMissing': 'no client secret is stored: generate one at GitHub and save it in the app',
  'check.github.secretSpace': 'the client secret contains a space or a line break (copied with it?)',
  'check.github.secretUsual': 'set, 40 hexadecimal digits as GitHub issues them',
  'check.github.secretUnusual': 'set ({length} characters, not GitHub\'s usual 40 hexadecimal digits)',
  'check.github.authorizeError': 'GitHub answered {error}',
  'check.github.redirectMismatch': 'GitHub answered {error}: register {redirectUri} as the Authorization callback URL',
  'check.github.authorize404': '{url} answered 404: no OAuth app with this client id there (or not a GitHub URL)',
  'check.github.authorizeAnswered': '{url} answered {status}',
  'check.github.authorizeAnsweredTo': '{url} answered {status} (to {location})',
  'check.github.knowsClient': 'GitHub knows this client id and secret (it answered bad_verification_code to a made-up code)',
  'check.github.acceptedMadeUpCode': 'GitHub accepted a made-up code: this is not safe to use',
  'check.github.refusedClient': 'GitHub refused the client id and secret (incorrect_client_credentials)',
  'check.github.tokenError': 'the token endpoint answered {error}',
  'check.github.tokenErrorDescribed': 'the token endpoint answered {error}: {description}',
  'check.github.tokenStatus': 'the token endpoint answered status {status}',
  'check.github.userAnswers': '{url} answers (401 without a token, as GitHub\'s API does)',
  'check.github.userAnswered': '{url} answered {status}: is the API URL right?',

  // OpenID Connect (oidc/diagnostics.ts, oidc/client-authentication.ts)
  'check.oidc.discovered': '{url} publishes its configuration (issuer {issuer})',
  'check.oidc.noJwksUri': 'no jwks_uri in the discovery document',
  'check.oidc.noSigningKeys': 'no signing keys at {url} (HTTP {status})',
  'check.oidc.signingKeys': '{count, plural, other {# signing key(s)}} at {url}',
  'check.oidc.endpoints': 'authorization {authorization}, token {token}, logout {logout}',
  'check.oidc.endpointMissing': 'missing',
  'check.oidc.noLogoutEndpoint': 'none (the app\'s logout URL is used)',
  'check.oidc.clientAccepted': '{probe}, with {method} ({reason})',
  'check.oidc.clientNotAccepted': '{probe} ({method}, {reason})',
  'check.oidc.clientRefused': '{probe} with {tried}: check the client id and secret (the provider lists {supported}{needKey, select, yes {; it also accepts private_key_jwt, which needs privateKeyJwk} other {}})',
  'check.oidc.acceptsAnotherMethod': '{probe} with {method} ({reason}), but accepts the same credentials with {accepted}{basic, select, yes { (it may not decode the form-encoding of the Basic credentials that RFC 6749 section 2.3.1 asks for, or the client is registered for the other method)} other { (the client is registered there for that method)}}: set clientAuth to "{accepted}" in the app',
  'check.oidc.methodsTwo': '{a} and {b}',
  'check.oidc.methodsThree': '{a} and {b} and {c}',
  'check.oidc.reasonSet': 'set in the app (clientAuth)',
  'check.oidc.reasonFirstListed': 'auto: the first of this app\'s methods the provider lists ({supported})',
  'check.oidc.reasonNoneListed': 'auto: the provider lists none of this app\'s methods (it lists {supported})',
  'check.oidc.acceptedMadeUpCode': 'the provider accepted a made-up code: it is not safe to use',
  'check.oidc.clientRefusedStatus': 'the provider refused the client authentication (HTTP {status})',
  'check.oidc.clientRefusedWith': 'the provider refused the client authentication (HTTP {status}, {error})',
  'check.oidc.knowsClient': 'the provider knows this client (it answered {error} to a made-up code)',
  'check.oidc.tokenUnreachable': 'the token endpoint could not be asked: {message}',

  // SAML (saml/diagnostics.ts)
  'check.saml.metadata': 'identity service {entityId}, from {from}',
  'check.saml.fromUrl': 'fetched from {url}',
  'check.saml.fromXml': 'pasted metadata',
  'check.saml.fromFields': 'the fields entered',
  'check.saml.validUntil': 'valid until {date}',
  'check.saml.idpCertificate': '{subject}, valid until {notAfter}, SHA-256 {sha256}',
  'check.saml.noSsoUrl': 'the identity service has no single sign-on address',
  'check.saml.noSlo': 'no single logout; sign-out ends here',
  'check.saml.noSloLogoutUrl': 'no single logout; sign-out goes to {url}',
  'check.saml.spKey': 'our signing certificate, {expired, select, yes {EXPIRED on} other {valid until}} {notAfter}, SHA-256 {sha256}',
  'check.saml.noSpKey': 'no SP key',
  'check.saml.answers': '{url} answers (HTTP {status})',
  'check.saml.noAnswer': '{url} gives no answer: {cause}',
  'check.saml.timeout': 'no answer within {seconds} s',
  'check.saml.connectionRefused': 'connection refused',
  'check.saml.unknownHost': 'unknown host',
  'check.saml.tlsError': 'TLS error ({code})',

  // A pasted token's checks that passed (jwt/token-check.ts)
  'check.token.shape': 'a signed compact JWT of acceptable size',
  'check.token.algorithm': 'allowed ({algorithms}), no key-carrying header',
  'check.token.signature': 'verified with the key configured for this app',
  'check.token.issuer': '"{issuer}"',
  'check.token.anyIssuer': 'any: this app sets no issuer',
  'check.token.audience': 'includes "{audience}"',
  'check.token.anyAudience': 'any: this app sets no audience',
  'check.token.time': 'within {age} of iat, not expired, with {tolerance} s clock tolerance',
  'check.token.timeSkew': 'within {age} of iat, not expired, with {tolerance} s clock tolerance; the signing clock is {skew} {direction, select, behind {behind} other {ahead}}',
  'check.token.jti': 'present',
  'check.token.email': '"{claim}" is an email address',
  'check.token.replay': 'no sign-in used this jti yet; this check does not use it up',
};

export type CheckDetailMessages = { readonly [K in keyof typeof enCheckDetails]: string };
