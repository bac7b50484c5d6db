-- Issue 17: an auth app's type is validated against the registry of sign-in protocols
-- (src/protocols/registry.ts) when it is created, so a new protocol or preset (ldap, github)
-- needs no migration to widen a list here. The format is still checked: a short lowercase word.
ALTER TABLE auth_apps DROP CONSTRAINT IF EXISTS auth_apps_type_check;
ALTER TABLE auth_apps ADD CONSTRAINT auth_apps_type_format CHECK (type ~ '^[a-z][a-z0-9_-]{0,39}$');
