// One error type for everything Frontdoor refuses. The `code` is stable (clients, tests
// and docs rely on it); the HTTP status is looked up here once, so no route invents its own.

export const ERROR_STATUS = {
  'request.invalid': 400,
  'request.csrf_invalid': 403,
  'request.not_found': 404,
  'request.too_large': 413,
  'auth.required': 401,
  'auth.invalid_credentials': 401,
  'auth.account_disabled': 403,
  'auth.method_disabled': 403,
  'auth.forbidden': 403,
  'auth.wrong_audience': 403,
  'registration.closed': 403,
  'registration.email_taken': 409,
  'password.too_short': 400,
  'password.too_long': 400,
  'person.not_found': 404,
  'person.email_taken': 409,
  'person.last_admin': 409,
  'usergroup.not_found': 404,
  'usergroup.name_taken': 409,
  'usergroup.system': 409,
  'article.not_found': 404,
  'app.not_found': 404,
  'app.slug_taken': 409,
  'app.config_invalid': 400,
  'app.password_unique': 409,
  'app.cannot_be_automatic': 409,
  'app.last_admin_sign_in': 409,
  'app.password_not_removable': 409,
  'app.test_sign_in_required': 409,
  'app.test_sign_in_invalid': 403,
  'app.test_sign_in_unsupported': 409,
  'app.secret_not_regenerable': 409,
  'session.not_found': 404,
  'apikey.not_found': 404,
  'sso.app_unavailable': 404,
  'sso.protocol_unavailable': 501,
  'sso.state_invalid': 400,
  'sso.browser_mismatch': 400,
  'sso.code_invalid': 400,
  'sso.cancelled': 401,
  'sso.provider_error': 502,
  'sso.token_invalid': 401,
  'sso.email_missing': 403,
  'sso.email_unverified': 403,
  'sso.account_link_unproven': 409,
  'sso.identity_taken': 409,
  'sso.email_ambiguous': 409,
  'sso.email_case_collision': 409,
  'sso.filter_refused': 403,
  'sso.hosted_domain_mismatch': 403,
  'sso.unknown_agent': 403,
  'sso.loop_detected': 429,
  'sso.logout_token_invalid': 400,
  // JWT SSO
  'sso.jwt.missing': 400,
  'sso.jwt.malformed': 400,
  'sso.jwt.too_large': 413,
  'sso.jwt.algorithm_not_allowed': 401,
  'sso.jwt.header_refused': 401,
  'sso.jwt.signature_invalid': 401,
  'sso.jwt.expired': 401,
  'sso.jwt.not_yet_valid': 401,
  'sso.jwt.issued_in_future': 401,
  'sso.jwt.too_old': 401,
  'sso.jwt.claim_missing': 401,
  'sso.jwt.claim_invalid': 401,
  'sso.jwt.issuer_mismatch': 401,
  'sso.jwt.audience_mismatch': 401,
  'sso.jwt.replayed': 401,
  'sso.jwt.key_unavailable': 502,
  // Accounts
  'auth.throttled': 429,
  'auth.approval_pending': 403,
  'auth.email_unverified': 403,
  'auth.second_factor_required': 401,
  'account.link_invalid': 400,
  'account.link_expired': 410,
  'account.link_used': 410,
  'account.link_password_invalid': 401,
  'password.too_common': 400,
  'password.current_invalid': 401,
  'two_factor.code_invalid': 401,
  'two_factor.code_used': 401,
  'two_factor.not_enrolled': 409,
  'two_factor.already_enabled': 409,
  'person.not_pending': 409,
  // CSV import of Users
  'import.csv_invalid': 400,
  'import.too_large': 413,
  'import.plan_changed': 409,
  // Session policy and remembered devices (issue 18 part 8)
  'session_policy.idle_exceeds_absolute': 400,
  'languages.default_not_offered': 400,
  'device.not_found': 404,
  // Email templates (issue 18 part 9): what Save refuses, a test send the SMTP server refused, and one test send too many
  'mail_template.syntax_invalid': 400,
  'mail_template.variable_unknown': 400,
  'mail_template.variable_type': 400,
  'mail_template.variable_missing': 400,
  'mail_template.subject_line_break': 400,
  'mail_template.too_long': 400,
  'mail_template.test_refused': 502,
  'mail_template.test_throttled': 429,
  // Brand (issue 18 part 6)
  'brand.color_contrast_too_low': 400,
  'brand.logo_type_refused': 415,
  'brand.logo_invalid': 400,
  'brand.logo_too_large': 413,
  // SAML
  'sso.saml.too_large': 413,
  'sso.saml.message_invalid': 400,
  'sso.saml.xml_forbidden': 400,
  'sso.saml.structure_invalid': 400,
  'sso.saml.signature_invalid': 401,
  'sso.saml.algorithm_forbidden': 401,
  'sso.saml.issuer_invalid': 401,
  'sso.saml.destination_invalid': 401,
  'sso.saml.recipient_invalid': 401,
  'sso.saml.audience_invalid': 401,
  'sso.saml.time_invalid': 401,
  'sso.saml.status_error': 401,
  'sso.saml.subject_invalid': 401,
  'sso.saml.encryption_required': 401,
  'sso.saml.decryption_failed': 400,
  'sso.saml.in_response_to_invalid': 400,
  'sso.saml.unsolicited': 400,
  'sso.saml.replayed': 400,
  'sso.saml.metadata_invalid': 502,
  'sso.saml.logout_invalid': 400,
  // LDAP
  'sso.ldap.unreachable': 503,
  'sso.ldap.service_bind_failed': 502,
  'sso.ldap.sync_running': 409,
  // First-run setup
  'setup.token_invalid': 404,
  'setup.complete': 410,
  'trace.not_found': 404,
  // SCIM 2.0 provisioning (docs/SCIM.md): each answers the SCIM error schema with its scimType
  'scim.unauthorized': 401,
  'scim.invalid_syntax': 400,
  'scim.invalid_value': 400,
  'scim.invalid_filter': 400,
  'scim.invalid_path': 400,
  'scim.no_target': 400,
  'scim.mutability': 400,
  'scim.too_many': 400,
  'scim.not_found': 404,
  'scim.uniqueness': 409,
  'scim.precondition_failed': 412,
  'scim.not_implemented': 501,
  'scim_connection.not_found': 404,
  'service.unavailable': 503,
  'internal': 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * Facts about a refusal. `check` and `detail` are also typed fields of the error
 * (`failedCheck`, `internalDetail`); the rest are for the client (which field was wrong, when
 * to retry). Never secrets.
 */
export type ErrorDetails = {
  /** The check that failed (`state`, `signature`, `jti_replay`): traced, audited. */
  check?: string;
  /** What exactly was wrong, for the trace and the log. */
  detail?: string;
  /** How far the identity service's clock was from ours, when a time check measured it. */
  clockSkewMs?: number;
  retryAfterSeconds?: number;
  [key: string]: unknown;
};

export class FrontdoorError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra facts for the client (which field was wrong); never secrets. */
  readonly details: ErrorDetails | undefined;
  /** The check that failed, for traces and audit (`details.check`). */
  readonly failedCheck: string | undefined;
  /** The real reason, for traces and logs (`details.detail`). */
  readonly internalDetail: string | undefined;
  /** The clock skew a time check measured before it refused. */
  readonly clockSkewMs: number | undefined;
  /** What the refused answer claimed (a JWT's payload), for the trace only. */
  claims: Record<string, unknown> | undefined;
  /** The SSO trace this refusal was written to, shown to the person. */
  traceId: string | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, facts: { claims?: Record<string, unknown> | undefined } = {}) {
    super(message);
    this.name = 'FrontdoorError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
    this.failedCheck = typeof details?.check === 'string' ? details.check : undefined;
    this.internalDetail = typeof details?.detail === 'string' ? details.detail : undefined;
    this.clockSkewMs = typeof details?.clockSkewMs === 'number' ? details.clockSkewMs : undefined;
    this.claims = facts.claims;
  }

  /** This error, marked with the trace it was written to. */
  tracedAs(traceId: string): this & { traceId: string } {
    this.traceId = traceId;
    return this as this & { traceId: string };
  }
}

export function isFrontdoorError(error: unknown): error is FrontdoorError {
  return error instanceof FrontdoorError;
}
