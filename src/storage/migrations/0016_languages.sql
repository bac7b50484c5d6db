-- Languages (issue 18 part 7). A person's own choice of language for pages and emails; NULL
-- follows the browser (Accept-Language) and then the helpdesk default.
ALTER TABLE people ADD COLUMN language text CHECK (language IN ('en', 'de', 'fr', 'es'));

-- Which languages the Help Center offers and which one it falls back to: one row, set in the
-- admin console or the admin API. The CHECKs repeat the core's refusals (language-settings.ts),
-- so no other door can store a default that is not offered or an empty offer.
CREATE TABLE language_settings (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  offered    text[] NOT NULL CHECK (cardinality(offered) >= 1 AND offered <@ ARRAY['en', 'de', 'fr', 'es']),
  default_language text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (default_language = ANY (offered))
);
INSERT INTO language_settings (offered, default_language) VALUES (ARRAY['en', 'de', 'fr', 'es'], 'en');
