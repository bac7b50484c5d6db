-- Reading a person (every sign-in, every session check at a cache miss) gathers their emails
-- by person_id; only the primary one was indexed that way, so the others were a scan.
CREATE INDEX person_emails_person ON person_emails (person_id);
