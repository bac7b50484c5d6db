-- External sign-in (OIDC now; SAML and JWT reuse it): in-flight transactions, per-attempt
-- traces, identity issuers, and what a session needs for single logout.

-- One row per sign-in that has left for the identity service and not come back yet. Keyed
-- by the hash of `state`, single use (deleted when consumed), shared by every node.
CREATE TABLE sso_transactions (
  state_hash     bytea PRIMARY KEY,
  app_id         uuid NOT NULL REFERENCES auth_apps (id) ON DELETE CASCADE,
  audience       text NOT NULL,
  -- HMAC of the browser's CSRF cookie: the callback must come back to the browser that left.
  browser_hash   bytea NOT NULL,
  -- PKCE verifier and nonce, sealed with the instance key.
  secrets        bytea NOT NULL,
  return_to      text NOT NULL,
  trace_id       text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);
CREATE INDEX sso_transactions_expiry ON sso_transactions (expires_at);

-- What happened in each external sign-in attempt, for admins: the user sees only the id.
CREATE TABLE sso_traces (
  id              text PRIMARY KEY,
  app_id          uuid REFERENCES auth_apps (id) ON DELETE SET NULL,
  audience        text NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  outcome         text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'success', 'failure')),
  error_code      text,
  -- The named check that failed (issuer, audience, signature, nonce, ...).
  failed_check    text,
  detail          text,
  clock_skew_ms   integer,
  claims          jsonb,
  person_id       uuid REFERENCES people (id) ON DELETE SET NULL,
  ip              text
);
CREATE INDEX sso_traces_app ON sso_traces (app_id, started_at DESC);

ALTER TABLE identities ADD COLUMN issuer text;

-- For single logout: which identity-service session a local session came from.
ALTER TABLE sessions ADD COLUMN external_subject text;
ALTER TABLE sessions ADD COLUMN external_sid text;
-- The ID token, sealed, for id_token_hint at RP-initiated logout.
ALTER TABLE sessions ADD COLUMN id_token bytea;
CREATE INDEX sessions_external ON sessions (app_id, external_subject);

-- Back-channel logout tokens are single use: their jti is remembered past their lifetime.
CREATE TABLE used_token_ids (
  app_id      uuid NOT NULL REFERENCES auth_apps (id) ON DELETE CASCADE,
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (app_id, jti)
);
