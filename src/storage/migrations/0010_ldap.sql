-- LDAP apps (docs/LDAP.md): the app type, and the runs of the directory sync.
-- Where the app type is still an enumerated CHECK (before issue 17's registry replaced it by
-- a format check, migration auth_apps_type_format), it learns 'ldap'; otherwise nothing to do.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'auth_apps'::regclass AND conname = 'auth_apps_type_check') THEN
    ALTER TABLE auth_apps DROP CONSTRAINT auth_apps_type_check;
    ALTER TABLE auth_apps ADD CONSTRAINT auth_apps_type_check
      CHECK (type IN ('password', 'google', 'microsoft', 'okta', 'onelogin', 'oidc', 'saml', 'jwt', 'ldap'));
  END IF;
END $$;

-- One row per sync run with its report. People are matched by their identity (app, stable
-- directory id as the subject), so no table of directory ids is needed besides identities.
CREATE TABLE ldap_sync_runs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id        uuid NOT NULL REFERENCES auth_apps (id) ON DELETE CASCADE,
  dry_run       boolean NOT NULL,
  status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at    timestamptz NOT NULL DEFAULT now(),
  -- Renewed after every page: a run whose node died stops renewing and can be taken over.
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  error_code    text,
  report        jsonb NOT NULL DEFAULT '{}'
);
-- One node at a time: a second run of one app cannot even be inserted while one runs.
CREATE UNIQUE INDEX ldap_sync_runs_one_running ON ldap_sync_runs (app_id) WHERE status = 'running';
CREATE INDEX ldap_sync_runs_app ON ldap_sync_runs (app_id, started_at DESC);
