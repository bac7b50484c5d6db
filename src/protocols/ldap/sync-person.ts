import { auditStatement } from '../../core/audit.ts';
import { EmailSchema } from '../../core/validation.ts';
import type { Queryable } from '../../storage/database.ts';
import { isUniqueViolation } from '../../storage/database.ts';
import type { DirectoryPerson } from './entry.ts';
import type { SyncApp } from './sync-runs.ts';

/** A sign-in created this identity between our look-up and our insert. */
export class IdentityCreatedConcurrently extends Error {}

export type PersonOutcome =
  | { kind: 'create' | 'update' | 'disable' | 'unchanged'; personId: string }
  | { kind: 'refused'; reason: string };

export const LAST_ADMIN: PersonOutcome = { kind: 'refused', reason: 'the last active admin is never disabled by a sync' };

/** Which usergroups a person's directory groups map to, and which usergroups the sync manages. */
export type GroupPlan = { managed: string[]; desiredFor(groups: string[]): string[] };

/**
 * Brings one person in line with their directory entry, inside the caller's transaction (one
 * per person, so a run that dies leaves each person either as before or fully updated). The
 * person is found by the identity (app, stable directory id) only, never by email: an email
 * already used by an account this directory does not own is a refused row, not a link.
 */
export async function applyDirectoryPerson(tx: Queryable, app: SyncApp, entry: DirectoryPerson, groups: GroupPlan, now: Date): Promise<PersonOutcome> {
  const [known] = await tx.query<{ person_id: string; name: string; disabled: boolean; email: string | null }>(
    `SELECT p.id AS person_id, p.name, p.disabled_at IS NOT NULL AS disabled,
            (SELECT e.email FROM person_emails e WHERE e.person_id = p.id AND e.is_primary) AS email
       FROM identities i JOIN people p ON p.id = i.person_id
      WHERE i.app_id = $1 AND i.subject = $2 FOR UPDATE OF p`,
    [app.id, entry.id],
  );
  if (!known) return createPerson(tx, app, entry, groups);
  if (known.disabled) return { kind: 'unchanged', personId: known.person_id };
  if (entry.disabled) {
    if (!(await disablePerson(tx, known.person_id, 'ldap_sync_disabled', now))) return LAST_ADMIN;
    return { kind: 'disable', personId: known.person_id };
  }
  let changed = false;
  if (known.name !== entry.name) {
    await tx.query('UPDATE people SET name = $2, updated_at = $3 WHERE id = $1', [known.person_id, entry.name, now]);
    changed = true;
  }
  if (entry.email && !EmailSchema.safeParse(entry.email).success) return { kind: 'refused', reason: 'its email is not a valid address' };
  if (entry.email && entry.email !== known.email?.toLowerCase()) {
    const [taken] = await tx.query('SELECT 1 FROM person_emails WHERE audience = $1 AND lower(email) = lower($2) AND person_id <> $3', [app.audience, entry.email, known.person_id]);
    if (taken) return { kind: 'refused', reason: 'its new email belongs to another account' };
    await tx.query('DELETE FROM person_emails WHERE person_id = $1 AND lower(email) = lower($2) AND NOT is_primary', [known.person_id, entry.email]);
    await tx.query('UPDATE person_emails SET email = $2, verified_at = NULL WHERE person_id = $1 AND is_primary', [known.person_id, entry.email]);
    changed = true;
  }
  if (await setManagedUsergroups(tx, app, known.person_id, groups, entry.groups)) changed = true;
  return { kind: changed ? 'update' : 'unchanged', personId: known.person_id };
}

async function createPerson(tx: Queryable, app: SyncApp, entry: DirectoryPerson, groups: GroupPlan): Promise<PersonOutcome> {
  if (entry.disabled) return { kind: 'refused', reason: 'disabled in the directory, not created' };
  if (!entry.email) return { kind: 'refused', reason: 'no email' };
  if (!EmailSchema.safeParse(entry.email).success) return { kind: 'refused', reason: 'its email is not a valid address' };
  // Agents come only from a sign-in with Auto Agent (as for every Agents app), never from a listing.
  if (app.audience === 'agents') return { kind: 'refused', reason: 'not an Agent yet (Agents are created at sign-in with Auto Agent)' };
  const [taken] = await tx.query('SELECT 1 FROM person_emails WHERE audience = $1 AND lower(email) = lower($2)', [app.audience, entry.email]);
  if (taken) return { kind: 'refused', reason: 'its email belongs to an account this directory does not own (never linked by email alone)' };
  const [row] = await tx.query<{ id: string }>('INSERT INTO people (audience, name) VALUES ($1, $2) RETURNING id', [app.audience, entry.name]);
  const personId = row!.id;
  await tx.query('INSERT INTO person_emails (person_id, audience, email, is_primary) VALUES ($1, $2, $3, true)', [personId, app.audience, entry.email]);
  try {
    await tx.query('INSERT INTO identities (app_id, audience, subject, person_id, email) VALUES ($1, $2, $3, $4, $5)', [app.id, app.audience, entry.id, personId, entry.email]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new IdentityCreatedConcurrently(); // rolls the person back; the next run updates
    throw error;
  }
  await setManagedUsergroups(tx, app, personId, groups, entry.groups);
  return { kind: 'create', personId };
}

/** Membership of the mapped usergroups follows the directory, removals included; other usergroups are left alone. */
async function setManagedUsergroups(tx: Queryable, app: SyncApp, personId: string, groups: GroupPlan, directoryGroups: string[]): Promise<boolean> {
  if (app.audience !== 'users' || groups.managed.length === 0) return false;
  const desired = groups.desiredFor(directoryGroups);
  const removed = await tx.query(
    'DELETE FROM person_usergroups WHERE person_id = $1 AND usergroup_id = ANY($2::uuid[]) AND NOT (usergroup_id = ANY($3::uuid[])) RETURNING usergroup_id',
    [personId, groups.managed, desired],
  );
  const added = desired.length === 0 ? [] : await tx.query(
    `INSERT INTO person_usergroups (person_id, usergroup_id) SELECT $1, g FROM unnest($2::uuid[]) AS g
     ON CONFLICT DO NOTHING RETURNING usergroup_id`,
    [personId, desired],
  );
  return removed.length + added.length > 0;
}

/**
 * Disabled and signed out at once (every session revoked); the account and its history stay.
 * False for the last active admin: admins can always get in (invariant 6), whatever the
 * directory says; the same lock as the console's last-admin rule serialises this with it.
 */
export async function disablePerson(tx: Queryable, personId: string, reason: string, now: Date): Promise<boolean> {
  const [person] = await tx.query<{ is_admin: boolean }>('SELECT is_admin FROM people WHERE id = $1', [personId]);
  if (person?.is_admin) {
    await tx.query("SELECT 1 FROM audience_settings WHERE audience = 'agents' FOR UPDATE");
    const [others] = await tx.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM people WHERE audience = 'agents' AND is_admin AND disabled_at IS NULL AND id <> $1", [personId]);
    if (others!.n === 0) return false;
  }
  await tx.query('UPDATE people SET disabled_at = $2, updated_at = $2 WHERE id = $1 AND disabled_at IS NULL', [personId, now]);
  await tx.query('UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE person_id = $1 AND revoked_at IS NULL', [personId, now, reason]);
  // Who disabled whom, and why, in the person's own history (the run's event has only counts).
  const audit = auditStatement({ action: 'person.disabled', outcome: 'success', reason, actor: { type: 'system' }, target: { type: 'person', id: personId } });
  await tx.query(audit.text, audit.params);
  return true;
}
