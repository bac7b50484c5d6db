-- Email templates an admin customised, per kind and language (issue 18 part 9). No row: the
-- default of that language. The checks repeat Save's limits, so no other door can store a
-- subject that would inject headers (a line break) or a body no mail should carry.
CREATE TABLE mail_templates (
  kind       text NOT NULL CHECK (kind ~ '^[A-Za-z]{1,40}$'),
  language   text NOT NULL CHECK (language IN ('en', 'de', 'fr', 'es')),
  subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200 AND subject !~ '[\r\n]'),
  body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES people (id) ON DELETE SET NULL,
  PRIMARY KEY (kind, language)
);
