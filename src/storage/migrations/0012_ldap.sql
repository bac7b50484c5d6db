-- LDAP apps (docs/LDAP.md): the runs of the directory sync. The app type 'ldap' needs no
-- change here: 0010 replaced the enumerated type CHECK by the registry and a format check.

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
