-- Frontdoor schema, version 1. Never edit a landed migration: add the next one.
-- Invariants of DESIGN.md are enforced here where the database can: see the comments.

CREATE TABLE instance_secrets (
  name        text PRIMARY KEY,
  value       bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per audience: holds its settings, and is the row that audience-wide changes
-- (the SSO-mode switch) lock FOR UPDATE so that concurrent admins are serialised.
CREATE TABLE audience_settings (
  audience      text PRIMARY KEY CHECK (audience IN ('agents', 'users')),
  registration  text NOT NULL CHECK (registration IN ('open', 'closed')),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audience_settings (audience, registration) VALUES ('users', 'open'), ('agents', 'closed');

CREATE TABLE people (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  audience       text NOT NULL CHECK (audience IN ('agents', 'users')),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  is_admin       boolean NOT NULL DEFAULT false,
  password_hash  text,
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  -- Invariant 2: only an Agent can be an admin.
  CONSTRAINT people_admin_is_agent CHECK (audience = 'agents' OR NOT is_admin),
  CONSTRAINT people_id_audience UNIQUE (id, audience)
);

CREATE TABLE person_emails (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id    uuid NOT NULL,
  audience     text NOT NULL,
  email        text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  is_primary   boolean NOT NULL DEFAULT false,
  verified_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (person_id, audience) REFERENCES people (id, audience) ON DELETE CASCADE
);
-- Emails are unique per audience, compared case-insensitively.
CREATE UNIQUE INDEX person_emails_unique ON person_emails (audience, lower(email));
CREATE UNIQUE INDEX person_emails_one_primary ON person_emails (person_id) WHERE is_primary;

CREATE TABLE usergroups (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- 'everyone' and 'registered' are built in; custom groups have NULL.
  system      text UNIQUE CHECK (system IN ('everyone', 'registered')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX usergroups_name_unique ON usergroups (lower(name));
INSERT INTO usergroups (name, system) VALUES ('Everyone', 'everyone'), ('Registered', 'registered');

-- Usergroups are for Users only: the audience column pins membership to that audience.
CREATE TABLE person_usergroups (
  person_id     uuid NOT NULL,
  audience      text NOT NULL DEFAULT 'users' CHECK (audience = 'users'),
  usergroup_id  uuid NOT NULL REFERENCES usergroups (id) ON DELETE CASCADE,
  PRIMARY KEY (person_id, usergroup_id),
  FOREIGN KEY (person_id, audience) REFERENCES people (id, audience) ON DELETE CASCADE
);

CREATE TABLE articles (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE article_usergroups (
  article_id    uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  usergroup_id  uuid NOT NULL REFERENCES usergroups (id) ON DELETE CASCADE,
  PRIMARY KEY (article_id, usergroup_id)
);

CREATE TABLE auth_apps (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug                    text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  audience                text NOT NULL CHECK (audience IN ('agents', 'users')),
  type                    text NOT NULL CHECK (type IN ('password', 'google', 'microsoft', 'okta', 'onelogin', 'oidc', 'saml', 'jwt')),
  name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  enabled                 boolean NOT NULL DEFAULT true,
  sso                     text NOT NULL DEFAULT 'disabled' CHECK (sso IN ('disabled', 'automatic')),
  show_button             boolean NOT NULL DEFAULT false,
  display_order           integer NOT NULL DEFAULT 0,
  config                  jsonb NOT NULL DEFAULT '{}',
  -- Secret parts of the config (client secrets, shared keys), AES-256-GCM encrypted.
  secrets                 bytea,
  secret_names            text[] NOT NULL DEFAULT '{}',
  last_test_succeeded_at  timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT auth_apps_id_audience UNIQUE (id, audience),
  CONSTRAINT auth_apps_password_never_automatic CHECK (type <> 'password' OR sso = 'disabled'),
  CONSTRAINT auth_apps_automatic_is_enabled CHECK (sso = 'disabled' OR enabled)
);
-- Invariant 1: at most one automatic app per audience.
CREATE UNIQUE INDEX auth_apps_one_automatic ON auth_apps (audience) WHERE sso = 'automatic';
-- The built-in password app exists once per audience.
CREATE UNIQUE INDEX auth_apps_one_password ON auth_apps (audience) WHERE type = 'password';
INSERT INTO auth_apps (slug, audience, type, name, enabled, display_order) VALUES
  ('password-users', 'users', 'password', 'Email and password', true, 0),
  ('password-agents', 'agents', 'password', 'Email and password', true, 0);

-- Invariant 2 in the schema: an identity's app and person belong to the same audience.
CREATE TABLE identities (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id        uuid NOT NULL,
  audience      text NOT NULL,
  subject       text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
  person_id     uuid NOT NULL,
  email         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  UNIQUE (app_id, subject),
  FOREIGN KEY (app_id, audience) REFERENCES auth_apps (id, audience) ON DELETE CASCADE,
  FOREIGN KEY (person_id, audience) REFERENCES people (id, audience) ON DELETE CASCADE
);
CREATE INDEX identities_person ON identities (person_id);

CREATE TABLE sessions (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- SHA-256 of the cookie token: a database leak does not hand out live sessions.
  token_hash           bytea NOT NULL UNIQUE,
  person_id            uuid NOT NULL,
  audience             text NOT NULL,
  app_id               uuid REFERENCES auth_apps (id) ON DELETE SET NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  last_seen_at         timestamptz NOT NULL DEFAULT now(),
  idle_expires_at      timestamptz NOT NULL,
  absolute_expires_at  timestamptz NOT NULL,
  revoked_at           timestamptz,
  revoked_reason       text,
  ip                   text,
  user_agent           text,
  FOREIGN KEY (person_id, audience) REFERENCES people (id, audience) ON DELETE CASCADE
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash    bytea NOT NULL UNIQUE,
  created_by    uuid REFERENCES people (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

CREATE TABLE audit_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  action      text NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('success', 'failure')),
  reason      text,
  audience    text,
  actor_type  text NOT NULL CHECK (actor_type IN ('person', 'api_key', 'cli', 'system', 'anonymous')),
  actor_id    text,
  target_type text,
  target_id   text,
  ip          text,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_action ON audit_events (action, at DESC);
