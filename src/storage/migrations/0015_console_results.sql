-- What the admin console shows one admin session for a short while (docs/ADMIN-CONSOLE.md,
-- "Testing an app"): a regenerated JWT shared secret (15 minutes), a test sign-in's one-time
-- ticket and its report, a Test's report, a new API key or SCIM token (shown once, but a reload
-- shows it again to the same session instead of making another). Sealed with the SecretBox, bound to the admin's session (another
-- session finds nothing), kept in the database so a reload on any node finds it, and swept
-- once expired by whoever writes the next one.
CREATE TABLE console_results (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL CHECK (kind IN ('shared_secret', 'test_ticket', 'test_sign_in', 'app_test', 'api_key', 'scim_token')),
  session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- Null for a result that is about no app (a new API key, a new SCIM connection's token).
  app_id      uuid REFERENCES auth_apps (id) ON DELETE CASCADE,
  sealed      bytea NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX console_results_session ON console_results (session_id, app_id, kind, created_at DESC);
CREATE INDEX console_results_expiry ON console_results (expires_at);
