-- SCIM 2.0 provisioning (issue 19, docs/SCIM.md): connections an identity service (Okta,
-- Entra) provisions through, the people and usergroups each one manages, and its last requests.

-- A connection belongs to one audience (invariant 2): the composite keys below make a SCIM
-- User of an Agents connection an Agent, and nothing else, in the schema itself.
CREATE TABLE scim_connections (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  audience      text NOT NULL CHECK (audience IN ('agents', 'users')),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- SHA-256 of the bearer token: it is shown once and never kept.
  token_hash    bytea NOT NULL UNIQUE,
  created_by    uuid REFERENCES people (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  CONSTRAINT scim_connections_id_audience UNIQUE (id, audience)
);

-- The person a connection provisioned: SCIM id = person id. A person is managed by at most one
-- connection; SCIM never takes over a person it did not create (see docs/SCIM.md).
CREATE TABLE scim_users (
  person_id      uuid PRIMARY KEY,
  audience       text NOT NULL,
  connection_id  uuid NOT NULL,
  user_name      text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 254),
  external_id    text CHECK (length(external_id) BETWEEN 1 AND 254),
  -- The SCIM attributes as the identity service last sent them (minus the password).
  attributes     jsonb NOT NULL DEFAULT '{}',
  -- meta.version (the ETag); every SCIM write adds one.
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (person_id, audience) REFERENCES people (id, audience) ON DELETE CASCADE,
  FOREIGN KEY (connection_id, audience) REFERENCES scim_connections (id, audience) ON DELETE CASCADE
);
-- userName is unique per connection, compared case-insensitively (RFC 7643 section 4.1).
CREATE UNIQUE INDEX scim_users_user_name ON scim_users (connection_id, lower(user_name));
CREATE UNIQUE INDEX scim_users_external_id ON scim_users (connection_id, external_id) WHERE external_id IS NOT NULL;
-- startIndex/count paging walks this order.
CREATE INDEX scim_users_connection ON scim_users (connection_id, created_at, person_id);

-- A SCIM Group is a usergroup (SCIM id = usergroup id), so Users only, like usergroups.
CREATE TABLE scim_groups (
  usergroup_id   uuid PRIMARY KEY REFERENCES usergroups (id) ON DELETE CASCADE,
  audience       text NOT NULL DEFAULT 'users' CHECK (audience = 'users'),
  connection_id  uuid NOT NULL,
  external_id    text CHECK (length(external_id) BETWEEN 1 AND 254),
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (connection_id, audience) REFERENCES scim_connections (id, audience) ON DELETE CASCADE
);
CREATE INDEX scim_groups_connection ON scim_groups (connection_id, created_at, usergroup_id);
CREATE UNIQUE INDEX scim_groups_external_id ON scim_groups (connection_id, external_id) WHERE external_id IS NOT NULL;

-- The last requests of each connection and how they ended, for the console.
CREATE TABLE scim_requests (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id  uuid NOT NULL REFERENCES scim_connections (id) ON DELETE CASCADE,
  at             timestamptz NOT NULL DEFAULT now(),
  method         text NOT NULL,
  path           text NOT NULL,
  status         integer NOT NULL,
  code           text
);
CREATE INDEX scim_requests_connection ON scim_requests (connection_id, id DESC);

-- Every SCIM change is audited with its connection as the actor.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_type_check
  CHECK (actor_type IN ('person', 'api_key', 'cli', 'system', 'anonymous', 'scim_connection'));
