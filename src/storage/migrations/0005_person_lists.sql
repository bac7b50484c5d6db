-- A person's lists (emails, custom usergroups, identities, whether TOTP is set up) as one JSON
-- value. Read with every person (each sign-in, each session check at a cache miss). As a
-- PL/pgSQL function its query plan is made once per connection and reused, where the same
-- subqueries inlined in each SELECT were planned again every time: on the embedded database
-- that planning cost more than the reading.
CREATE FUNCTION person_lists(person uuid) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN json_build_object(
    'emails', COALESCE((SELECT json_agg(json_build_object('email', e.email, 'primary', e.is_primary, 'verified', e.verified_at IS NOT NULL)
                                        ORDER BY e.is_primary DESC, e.created_at)
                          FROM person_emails e WHERE e.person_id = person), '[]'),
    'usergroups', COALESCE((SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name)
                              FROM person_usergroups pu JOIN usergroups g ON g.id = pu.usergroup_id WHERE pu.person_id = person), '[]'),
    'identities', COALESCE((SELECT json_agg(json_build_object('appId', i.app_id, 'subject', i.subject) ORDER BY i.created_at)
                              FROM identities i WHERE i.person_id = person), '[]'),
    'totp', EXISTS (SELECT 1 FROM totp_secrets t WHERE t.person_id = person AND t.confirmed_at IS NOT NULL));
END
$$;
