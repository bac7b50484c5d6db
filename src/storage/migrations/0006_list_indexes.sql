-- Admin lists at any size (issue 20). Every list is read in keyset order (the last row's key
-- is the next page's cursor; no OFFSET), and every filter has an index whose order is the
-- list's order, so a page costs the rows it returns, not the rows before it.

-- People: by audience, oldest first.
CREATE INDEX people_audience_created ON people (audience, created_at, id);

-- Sessions: newest first, live ones (the only ones the lists show), by audience or in all;
-- a person's own by person (it replaces the person_id index, which it also serves).
CREATE INDEX sessions_live_created ON sessions (created_at DESC, id DESC) WHERE revoked_at IS NULL;
CREATE INDEX sessions_live_audience_created ON sessions (audience, created_at DESC, id DESC) WHERE revoked_at IS NULL;
CREATE INDEX sessions_person_created ON sessions (person_id, created_at DESC, id DESC);
DROP INDEX sessions_person;

-- SSO traces: newest first, in all, by app (replaces sso_traces_app, which ordered without
-- the tie-breaker), by outcome.
CREATE INDEX sso_traces_started ON sso_traces (started_at DESC, id DESC);
CREATE INDEX sso_traces_app_started ON sso_traces (app_id, started_at DESC, id DESC);
CREATE INDEX sso_traces_outcome_started ON sso_traces (outcome, started_at DESC, id DESC);
DROP INDEX sso_traces_app;

-- Audit: newest first is the id order (the primary key). An exact action and an action prefix
-- (signin.*) are a range of one text_pattern_ops index: its order is byte order, so LIKE
-- 'signin.%' is a range scan under any collation (the (action, at) index it replaces was
-- never used: the list orders by id). Actor and target: partial, as anonymous and system
-- events have no actor and many events no target.
CREATE INDEX audit_events_action_id ON audit_events (action text_pattern_ops, id);
CREATE INDEX audit_events_actor_id ON audit_events (actor_id, id) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_events_target_id ON audit_events (target_id, id) WHERE target_id IS NOT NULL;
DROP INDEX audit_events_action;

-- Search: name and email substrings (ILIKE '%q%') through trigram GIN indexes (pg_trgm).
-- PostgreSQL servers ship pg_trgm in contrib (a trusted extension: a database owner may
-- create it); the embedded database loads PGlite's build of it (pglite-worker.ts). It goes to
-- the public schema when it can: an extension exists once per database, and one created in a
-- schema that is later dropped (a test file's) would take every other schema's indexes with
-- it. Where the extension cannot be had, search still works, by scanning; the notice says so.
DO $$
DECLARE
  trgm_schema text;
BEGIN
  SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NULL THEN
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') AND has_schema_privilege('public', 'CREATE') THEN
        CREATE EXTENSION pg_trgm SCHEMA public;
      ELSE
        CREATE EXTENSION pg_trgm;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'pg_trgm is not available (%): name and email search will scan', SQLERRM;
      RETURN;
    END;
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  END IF;
  EXECUTE format('CREATE INDEX people_name_trgm ON people USING gin (name %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX person_emails_email_trgm ON person_emails USING gin (email %I.gin_trgm_ops)', trgm_schema);
END
$$;
