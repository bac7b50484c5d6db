-- The helpdesk's brand (issue 18 part 6): one row, always present (id is the constant true),
-- so reads never branch on "no row yet" and two admins saving at once serialise on it.
-- NULL is "not set": the pages then show today's defaults. The CHECKs repeat the core's
-- bounds (src/core/brand*.ts), so no other door can store what the console would refuse.
CREATE TABLE brand (
  id                boolean PRIMARY KEY DEFAULT true CHECK (id),
  helpdesk_name     text CHECK (char_length(helpdesk_name) BETWEEN 1 AND 80),
  sign_in_text      text CHECK (char_length(sign_in_text) BETWEEN 1 AND 500),
  primary_color     text CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
  -- Only sniffed PNG, JPEG or WebP (never SVG: it can carry script), at most 256 KiB.
  logo              bytea CHECK (octet_length(logo) BETWEEN 1 AND 262144),
  logo_content_type text CHECK (logo_content_type IN ('image/png', 'image/jpeg', 'image/webp')),
  -- Bumped by every change: the logo and stylesheet URLs carry it (cache busting), and every
  -- node compares it to the one it holds to notice another node's change.
  version           integer NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((logo IS NULL) = (logo_content_type IS NULL))
);
INSERT INTO brand (id) VALUES (true);
