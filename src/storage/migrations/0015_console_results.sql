-- What the admin console shows one admin session for a short while (docs/ADMIN-CONSOLE.md,
-- "Testing an app"): a regenerated JWT shared secret (15 minutes), a test sign-in's one-time
-- ticket and its report, a Test's report. Sealed with the SecretBox, bound to the admin's session (another
-- session finds nothing), kept in the database so a reload on any node finds it, and swept
-- once expired by whoever writes the next one.
CREATE TABLE console_results (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL CHECK (kind IN ('shared_secret', 'test_ticket', 'test_sign_in', 'app_test')),
  session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  app_id      uuid NOT NULL REFERENCES auth_apps (id) ON DELETE CASCADE,
  sealed      bytea NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX console_results_session ON console_results (session_id, app_id, kind, created_at DESC);
CREATE INDEX console_results_expiry ON console_results (expires_at);
