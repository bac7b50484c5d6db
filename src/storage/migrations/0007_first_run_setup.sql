-- First-run setup links (issue 15): while no admin exists, each server start issues one and
-- prints it. Only the SHA-256 of the token is kept, so a database dump does not hold a live
-- link; the first admin created through one uses up every link.
CREATE TABLE setup_tokens (
  token_hash bytea PRIMARY KEY,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
