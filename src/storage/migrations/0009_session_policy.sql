-- Session policy per audience (issue 18 part 8). NULL keeps the environment's default
-- (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS); remember_device_days NULL is "off".
ALTER TABLE audience_settings
  ADD COLUMN session_idle_minutes integer CHECK (session_idle_minutes BETWEEN 5 AND 129600),
  ADD COLUMN session_absolute_hours integer CHECK (session_absolute_hours BETWEEN 1 AND 8760),
  ADD COLUMN remember_device_days integer CHECK (remember_device_days BETWEEN 1 AND 90);

-- "Remember this device" for the second factor: only the SHA-256 of the cookie's token is
-- kept (a leaked table opens nothing), bound to one person of one audience (invariant 2:
-- the composite key makes a device of the other audience impossible).
CREATE TABLE remembered_devices (
  id             uuid PRIMARY KEY,
  token_hash     bytea NOT NULL UNIQUE,
  person_id      uuid NOT NULL,
  audience       text NOT NULL CHECK (audience IN ('agents', 'users')),
  created_at     timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  last_used_at   timestamptz,
  revoked_at     timestamptz,
  revoked_reason text,
  ip             text,
  user_agent     text,
  FOREIGN KEY (person_id, audience) REFERENCES people (id, audience) ON DELETE CASCADE
);
CREATE INDEX remembered_devices_person ON remembered_devices (person_id, created_at DESC);

-- Disabling a person forgets their devices in the same statement, whichever door disabled
-- them (console, API, SCIM, CLI): enabling them again must not bring a skip back.
CREATE FUNCTION remembered_devices_revoke_on_disable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE remembered_devices SET revoked_at = now(), revoked_reason = 'person disabled'
   WHERE person_id = NEW.id AND revoked_at IS NULL;
  RETURN NEW;
END
$$;
CREATE TRIGGER people_disabled_revokes_devices AFTER UPDATE OF disabled_at ON people
  FOR EACH ROW WHEN (OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL)
  EXECUTE FUNCTION remembered_devices_revoke_on_disable();
