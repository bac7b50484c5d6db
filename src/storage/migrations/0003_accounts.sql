-- Accounts: registration modes, email validation, agent approval, password reset, two-factor
-- authentication, brute-force throttling and the emailed break-glass link.

-- Registration modes for Users. The old inline CHECK allowed only open/closed.
ALTER TABLE audience_settings DROP CONSTRAINT IF EXISTS audience_settings_registration_check;
ALTER TABLE audience_settings ADD CONSTRAINT audience_settings_registration_mode
  CHECK (registration IN ('open', 'require_registration', 'agent_approval', 'closed'));
ALTER TABLE audience_settings ADD COLUMN email_validation boolean NOT NULL DEFAULT false;
ALTER TABLE audience_settings ADD COLUMN everyone_enabled boolean NOT NULL DEFAULT true;
ALTER TABLE audience_settings ADD COLUMN password_min_length integer NOT NULL DEFAULT 8
  CHECK (password_min_length BETWEEN 8 AND 64);
-- Two-factor policy of the audience: required for all (at next sign-in), from a date on.
ALTER TABLE audience_settings ADD COLUMN two_factor_required boolean NOT NULL DEFAULT false;
ALTER TABLE audience_settings ADD COLUMN two_factor_grace_until timestamptz;
ALTER TABLE audience_settings ADD COLUMN alert_new_device boolean NOT NULL DEFAULT false;
ALTER TABLE audience_settings ADD COLUMN alert_failed_sign_ins boolean NOT NULL DEFAULT true;

-- Set at registration (not derived from the current settings), so switching email validation
-- or approval on later never locks out people who already have accounts.
ALTER TABLE people ADD COLUMN approval_pending_since timestamptz;
ALTER TABLE people ADD COLUMN email_validation_pending boolean NOT NULL DEFAULT false;
ALTER TABLE people ADD COLUMN two_factor_required boolean NOT NULL DEFAULT false;
ALTER TABLE people ADD COLUMN two_factor_grace_until timestamptz;
-- Email codes chosen as the person's second factor (TOTP is in totp_secrets).
ALTER TABLE people ADD COLUMN email_two_factor_at timestamptz;

-- The TOTP secret, sealed with the instance key; unconfirmed until the first good code.
CREATE TABLE totp_secrets (
  person_id     uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
  secret        bytea NOT NULL,
  confirmed_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- RFC 6238 section 5.2: a code is accepted once. The primary key makes "first use" atomic,
-- so of two requests carrying the same code at the same moment exactly one inserts.
CREATE TABLE totp_used_steps (
  person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  step       bigint NOT NULL,
  used_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, step)
);

-- Recovery codes, as SHA-256 only; used_at set once by a conditional UPDATE.
CREATE TABLE recovery_codes (
  person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  code_hash   bytea NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, code_hash)
);

-- Single-use, expiring secrets sent by email: validation and reset links, 2FA email codes,
-- admin bypass links. Only the SHA-256 is kept; used_at is set once by a conditional UPDATE.
CREATE TABLE account_tokens (
  token_hash  bytea PRIMARY KEY,
  purpose     text NOT NULL CHECK (purpose IN ('email_validation', 'password_reset', 'email_code', 'admin_bypass')),
  person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX account_tokens_person ON account_tokens (person_id, purpose);

-- Brute-force counters, shared by every node. One row per key: an account, an account from
-- one address, or an address. See docs/ACCOUNTS.md for the policy.
CREATE TABLE sign_in_throttle (
  key                text PRIMARY KEY,
  failures           integer NOT NULL,
  window_started_at  timestamptz NOT NULL,
  last_failure_at    timestamptz NOT NULL,
  blocked_until      timestamptz
);

-- A session whose first factor is verified but whose second is pending (or must be set up
-- first) can do nothing else: every ordinary lookup requires restriction IS NULL.
ALTER TABLE sessions ADD COLUMN restriction text CHECK (restriction IN ('second_factor', 'two_factor_setup'));
