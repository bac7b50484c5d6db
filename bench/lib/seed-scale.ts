import type { Queryable } from '../../src/storage/database.ts';

// A large, realistic-enough data set made by the database itself: one INSERT ... SELECT
// generate_series per table, so a million rows take seconds, not a million round trips.
// Used by the query-plan test (test/storage/list-plans.test.ts, 100,000 people) and the
// scale benchmark (bench/scenarios/admin-lists.ts, up to 1,000,000 people).
//
// Person g (1..people) has the id uuidOf(g) (from md5('p' || g)), is an Agent when g % 20 = 0 (else a User),
// has the primary email person<g>@example.com, a name from a few common first and last names
// plus g, an identity (every second person), a custom usergroup (every third User), and was
// created (people - g) * 30 s ago, so creation order is g's order. Audit actions are skewed as
// a real log is (sign-ins most of it), with one rare action (breakglass.reset_sso, 1 in 10,000).

export type ScaleSizes = { people: number; sessions: number; traces: number; audit: number };

/** Person g's id: md5('p' || g) made a valid version-4 UUID (the API checks the version and variant). */
export const uuidOf = (g: string) => `overlay(overlay(md5('p' || ${g}) placing '4' from 13) placing '8' from 17)::uuid`;
export const RARE_ACTION = 'breakglass.reset_sso';

export async function seedScale(db: Queryable, sizes: ScaleSizes): Promise<void> {
  const audienceOf = (g: string) => `CASE WHEN ${g} % 20 = 0 THEN 'agents' ELSE 'users' END`;
  await db.query(
    `INSERT INTO people (id, audience, name, created_at, updated_at)
     SELECT ${uuidOf('g')}, ${audienceOf('g')},
            (ARRAY['Ada','Bob','Chen','Dana','Eve','Femi','Gus','Hana','Ivan','Jo'])[1 + g % 10] || ' '
              || (ARRAY['Lovelace','Smith','Okafor','Novak','Garcia','Tanaka','Muller','Rossi'])[1 + (g / 10) % 8] || ' ' || g,
            now() - make_interval(secs => ($1::int - g) * 30.0), now()
       FROM generate_series(1, $1::int) g`,
    [sizes.people],
  );
  await db.query(
    `INSERT INTO person_emails (person_id, audience, email, is_primary, verified_at, created_at)
     SELECT ${uuidOf('g')}, ${audienceOf('g')}, 'person' || g || '@example.com', true, now(), now()
       FROM generate_series(1, $1::int) g`,
    [sizes.people],
  );
  await db.query(
    `INSERT INTO identities (app_id, audience, subject, person_id, email)
     SELECT a.id, a.audience, 'subject-' || g, ${uuidOf('g')}, 'person' || g || '@example.com'
       FROM generate_series(2, $1::int, 2) g JOIN auth_apps a ON a.type = 'password' AND a.audience = ${audienceOf('g')}`,
    [sizes.people],
  );
  await db.query(`INSERT INTO usergroups (name) SELECT 'Seeded group ' || n FROM generate_series(1, 5) n ON CONFLICT DO NOTHING`);
  await db.query(
    `INSERT INTO person_usergroups (person_id, usergroup_id)
     SELECT ${uuidOf('g')}, (SELECT id FROM usergroups WHERE name = 'Seeded group ' || (1 + g % 5))
       FROM generate_series(3, $1::int, 3) g WHERE g % 20 <> 0`,
    [sizes.people],
  );
  // Sessions: spread over the people, newest last; half still live, a tenth revoked.
  await db.query(
    `INSERT INTO sessions (token_hash, person_id, audience, created_at, last_seen_at, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason)
     SELECT sha256(('s' || g)::bytea), ${uuidOf('p')}, ${audienceOf('p')}, t, t,
            CASE WHEN g % 2 = 0 THEN now() + interval '1 hour' ELSE now() - interval '1 hour' END, now() + interval '1 day',
            CASE WHEN g % 10 = 0 THEN t END, CASE WHEN g % 10 = 0 THEN 'seeded' END
       FROM generate_series(1, $1::int) g, LATERAL (SELECT 1 + (g::bigint * 7919) % $2::int AS p, now() - make_interval(secs => ($1::int - g) * 3.0) AS t) x`,
    [sizes.sessions, sizes.people],
  );
  // SSO traces: on the two built-in apps (any app will do for a list), one in 50 a failure.
  await db.query(
    `INSERT INTO sso_traces (id, app_id, audience, started_at, finished_at, outcome, error_code, failed_check, person_id)
     SELECT 'seed' || g, a.id, a.audience, t, t, CASE WHEN g % 50 = 0 THEN 'failure' ELSE 'success' END,
            CASE WHEN g % 50 = 0 THEN 'sso.jwt.signature_invalid' END, CASE WHEN g % 50 = 0 THEN 'signature' END,
            CASE WHEN g % 50 = 0 THEN NULL ELSE ${uuidOf('(1 + (g::bigint * 7919) % $2::int)')} END
       FROM generate_series(1, $1::int) g
       JOIN auth_apps a ON a.type = 'password' AND a.audience = ${audienceOf('(1 + (g::bigint * 7919) % $2::int)')},
       LATERAL (SELECT now() - make_interval(secs => ($1::int - g) * 3.0) AS t) x`,
    [sizes.traces, sizes.people],
  );
  await db.query(
    `INSERT INTO audit_events (at, action, outcome, reason, audience, actor_type, actor_id, target_type, target_id, ip)
     SELECT now() - make_interval(secs => ($1::int - g) * 0.3), action, CASE WHEN g % 25 = 0 THEN 'failure' ELSE 'success' END,
            CASE WHEN g % 25 = 0 THEN 'auth.invalid_credentials' END, ${audienceOf('p')},
            CASE WHEN action LIKE 'signin.%' THEN 'person' ELSE 'api_key' END,
            CASE WHEN action LIKE 'signin.%' THEN ${uuidOf('p')}::text ELSE 'key-' || (g % 7) END,
            CASE WHEN action LIKE 'person.%' THEN 'person' END, CASE WHEN action LIKE 'person.%' THEN ${uuidOf('p')}::text END,
            '10.0.' || (g % 250) || '.' || (g % 200)
       FROM generate_series(1, $1::int) g,
       LATERAL (SELECT 1 + (g::bigint * 7919) % $2::int AS p,
                       CASE WHEN g % 10000 = 0 THEN '${RARE_ACTION}'
                            ELSE (ARRAY['signin.password','signin.password','signin.password','signin.jwt','signin.jwt','signin.saml',
                                        'signin.oidc','session.revoked','person.updated','registration.created'])[1 + g % 10] END AS action) x`,
    [sizes.audit, sizes.people],
  );
  await db.query('ANALYZE');
}
