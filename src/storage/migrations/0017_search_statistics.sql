-- Finer statistics for the two columns a people search matches by substring (issue 20). For
-- `name ILIKE '%q%'` and `email ILIKE '%q%'` PostgreSQL estimates the share of matches by the
-- share of the column's histogram that matches. At the default target (100) that share moves in
-- steps of 1%: a fragment held by 20 of 100,000 addresses that ANALYZE happened to sample into
-- the histogram was taken for 1,000 matches, and the planner walked the (audience, created_at,
-- id) index probing every person's emails instead of reading the trigram index (29 of 30 such
-- fragments did; CI's list-plans run met one). At 1,000 the step is 0.1% and the same fragment
-- is estimated at 100 matches, for which the trigram index is cheaper by far (0 of 30 walked);
-- a string really held by 1% of people still walks, and finds its page within 5% of the walk.
-- ANALYZE then samples 300,000 rows of these tables instead of 30,000.
ALTER TABLE people ALTER COLUMN name SET STATISTICS 1000;
ALTER TABLE person_emails ALTER COLUMN email SET STATISTICS 1000;
