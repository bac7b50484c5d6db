import { createHash } from 'node:crypto';
import { CsvError, parse } from 'csv-parse/sync';
import type { Database } from '../storage/database.ts';
import type { Actor, AuditLog } from './audit.ts';
import { FrontdoorError, isFrontdoorError } from './errors.ts';
import type { PeopleDirectory } from './people.ts';
import { EmailSchema, NameSchema } from './validation.ts';

// CSV import of Users (name, email, usergroups). A dry run and the real run compute the same
// plan from the same file and today's data; the real run refuses when the plan is no longer the
// one the admin saw (its fingerprint), then applies each row in its own transaction, so one
// row that fails at the last moment (an email taken meanwhile) refuses that row only.
// Imported emails are typed by an admin, not proven by their holders: they are stored
// unverified, so an external sign-in never joins such an account by email (invariant 5).

/** Bigger files are split: the form and JSON bodies are 64 KiB at most anyway. */
export const IMPORT_LIMITS = { maxCharacters: 60_000, maxRows: 1_000 } as const;

const COLUMNS = ['name', 'email', 'usergroups'] as const;
/** Usergroups within a cell; the comma already separates the cells. */
const GROUP_SEPARATOR = ';';

export type ImportRefusal =
  | 'columns' | 'name_invalid' | 'email_invalid' | 'duplicate_in_file' | 'usergroup_unknown' | 'agent_email'
  // Applying only: what changed between the plan's check and this row.
  | 'email_taken' | 'changed_meanwhile';

export type ImportRow = {
  /** The line of the file the row ends on (the header is line 1; a quoted cell may span lines). */
  line: number;
  name: string;
  email: string;
  /** The row's custom usergroups; undefined when the file has no usergroups column (kept as they are). */
  usergroups: string[] | undefined;
} & (
  | { outcome: 'created'; personId?: string }
  | { outcome: 'updated'; personId: string; changes: ('name' | 'usergroups')[] }
  | { outcome: 'unchanged'; personId: string }
  | { outcome: 'refused'; reason: ImportRefusal; message: string }
);

export type ImportPlan = {
  rows: ImportRow[];
  counts: Record<ImportRow['outcome'], number>;
  /** What the plan would do, hashed: the real run applies only the plan the dry run showed. */
  fingerprint: string;
};

/** What an applied import leaves in its `people.imported` audit event. */
export type ImportReport = ImportPlan['counts'] & {
  fingerprint: string;
  refusedRows: { line: number; email: string; reason: ImportRefusal; message: string }[];
};

type Existing = { id: string; name: string; groupIds: string[] };

export class PeopleImport {
  readonly #db: Database;
  readonly #people: PeopleDirectory;
  readonly #audit: AuditLog;
  constructor(deps: { db: Database; people: PeopleDirectory; audit: AuditLog }) {
    this.#db = deps.db;
    this.#people = deps.people;
    this.#audit = deps.audit;
  }

  /** What importing `csv` would change; writes nothing. */
  async plan(csv: string): Promise<ImportPlan> {
    return (await this.#plan(csv)).plan;
  }

  /**
   * Imports `csv` if its plan is still `fingerprint` (else `import.plan_changed`, nothing
   * written). Answers the plan as applied: a row refused at the last moment says why.
   */
  async apply(csv: string, fingerprint: string, actor: Actor, ip: string | undefined): Promise<ImportPlan> {
    const { plan, groupIds } = await this.#plan(csv);
    if (plan.fingerprint !== fingerprint) {
      throw new FrontdoorError('import.plan_changed', 'The people or usergroups changed since the dry run: run it again and check the new plan.');
    }
    const rows: ImportRow[] = [];
    for (const row of plan.rows) rows.push(await this.#applyRow(row, row.usergroups && groupIds(row.usergroups), actor, ip));
    const applied = { rows, counts: countOutcomes(rows), fingerprint: plan.fingerprint };
    await this.#audit.record({
      action: 'people.imported', outcome: 'success', audience: 'users', actor, ip,
      // The console's report after the redirect is read back from here (and the fingerprint finds it).
      details: {
        ...applied.counts, fingerprint: plan.fingerprint,
        refusedRows: rows.flatMap((r) => (r.outcome === 'refused' ? [{ line: r.line, email: r.email, reason: r.reason, message: r.message }] : [])),
      } satisfies ImportReport,
    });
    return applied;
  }

  async #applyRow(row: ImportRow, usergroupIds: string[] | undefined, actor: Actor, ip: string | undefined): Promise<ImportRow> {
    if (row.outcome !== 'created' && row.outcome !== 'updated') return row;
    try {
      const person = row.outcome === 'created'
        ? await this.#people.create({ audience: 'users', name: row.name, email: row.email, emailVerified: false, usergroupIds: usergroupIds ?? [] })
        : await this.#people.update(row.personId, 'users', { name: row.name, ...(usergroupIds ? { usergroupIds } : {}) });
      await this.#audit.record({
        action: row.outcome === 'created' ? 'person.created' : 'person.updated', outcome: 'success', audience: 'users', actor, ip,
        target: { type: 'person', id: person.id }, details: { via: 'import', line: row.line },
      });
      return { ...row, personId: person.id };
    } catch (error) {
      if (!isFrontdoorError(error) || error.status >= 500) throw error;
      const reason: ImportRefusal = error.code === 'person.email_taken' ? 'email_taken' : error.code === 'usergroup.not_found' ? 'usergroup_unknown' : 'changed_meanwhile';
      return { line: row.line, name: row.name, email: row.email, usergroups: row.usergroups, outcome: 'refused', reason, message: error.message };
    }
  }

  async #plan(csv: string): Promise<{ plan: ImportPlan; groupIds: (names: string[]) => string[] }> {
    const records = parseCsv(csv);
    const groups = await this.#db.query<{ id: string; name: string; system: string | null }>('SELECT id, name, system FROM usergroups');
    const groupByName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
    // Everyone and Registered are implicit: naming them in a row is allowed and stores nothing.
    const groupIds = (names: string[]) => names.flatMap((n) => {
      const group = groupByName.get(n.toLowerCase());
      return group && !group.system ? [group.id] : [];
    });

    // An address's key is PostgreSQL's lower(), the one person_emails_unique and every sign-in
    // lookup use; JavaScript's toLowerCase differs beyond ASCII (and PostgreSQL's own with the
    // database's collation), so a plan keyed on it could call "new" an address the insert then
    // finds taken, or let two lines that are one address through.
    const keyOf = new Map((await this.#db.query<{ raw: string; key: string }>(
      'SELECT DISTINCT raw, lower(raw) AS key FROM unnest($1::text[]) AS raw',
      [records.map((r) => r.email.trim())],
    )).map((r) => [r.raw, r.key]));
    const keyFor = (email: string) => keyOf.get(email.trim())!;
    const emails = [...new Set(keyOf.values())];
    const existing = new Map<string, Existing>();
    for (const row of await this.#db.query<{ email: string; id: string; name: string; group_ids: string[] }>(
      `SELECT lower(e.email) AS email, p.id, p.name,
              ARRAY(SELECT pu.usergroup_id::text FROM person_usergroups pu WHERE pu.person_id = p.id) AS group_ids
         FROM person_emails e JOIN people p ON p.id = e.person_id
        WHERE e.audience = 'users' AND lower(e.email) = ANY($1::text[])`,
      [emails],
    )) existing.set(row.email, { id: row.id, name: row.name, groupIds: row.group_ids });
    const agentEmails = new Set((await this.#db.query<{ email: string }>(
      "SELECT lower(email) AS email FROM person_emails WHERE audience = 'agents' AND lower(email) = ANY($1::text[])",
      [emails],
    )).map((r) => r.email));

    const linesOf = new Map<string, number[]>();
    for (const r of records) linesOf.set(keyFor(r.email), [...(linesOf.get(keyFor(r.email)) ?? []), r.line]);

    const rows = records.map((record): ImportRow => {
      const named = record.usergroups?.split(GROUP_SEPARATOR).map((g) => g.trim()).filter(Boolean);
      const usergroups = named?.filter((g, i) => named.findIndex((o) => o.toLowerCase() === g.toLowerCase()) === i);
      const base = { line: record.line, name: record.name.trim(), email: record.email.trim(), usergroups };
      const refuse = (reason: ImportRefusal, message: string): ImportRow => ({ ...base, outcome: 'refused', reason, message });
      if (record.fieldCount !== record.expectedFields) return refuse('columns', `This row has ${record.fieldCount} cells; the header has ${record.expectedFields}.`);
      const name = NameSchema.safeParse(record.name);
      if (!name.success) return refuse('name_invalid', `The name is not valid: ${name.error.issues[0]!.message}.`);
      const email = EmailSchema.safeParse(record.email);
      if (!email.success) return refuse('email_invalid', `${base.email || '(empty)'} is not an email address.`);
      const key = keyFor(email.data);
      const lines = linesOf.get(key)!;
      // Every occurrence is refused: which one the admin meant is not ours to guess.
      if (lines.length > 1) return refuse('duplicate_in_file', `${email.data} is on more than one line (${lines.join(', ')}).`);
      const unknown = (usergroups ?? []).filter((g) => !groupByName.has(g.toLowerCase()));
      if (unknown.length) return refuse('usergroup_unknown', `No usergroup named ${unknown.join(', ')}.`);
      const found = existing.get(key);
      if (!found) {
        // A User holding an Agent's address would receive reset links and sign-in mail meant
        // to look like the agent's; the admin creates such an account knowingly, one by one.
        if (agentEmails.has(key)) return refuse('agent_email', `${email.data} belongs to an Agent.`);
        return { ...base, name: name.data, email: email.data, outcome: 'created' };
      }
      const changes: ('name' | 'usergroups')[] = [];
      if (found.name !== name.data) changes.push('name');
      // Without a usergroups column a file says nothing about them: they stay as they are.
      if (usergroups && !sameSet(groupIds(usergroups), found.groupIds)) changes.push('usergroups');
      return changes.length
        ? { ...base, name: name.data, email: email.data, outcome: 'updated', personId: found.id, changes }
        : { ...base, name: name.data, email: email.data, outcome: 'unchanged', personId: found.id };
    });
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(rows.map((r) => [r.line, r.outcome, r.name, r.email, r.outcome === 'refused' || !r.usergroups ? null : groupIds(r.usergroups), 'personId' in r ? r.personId : null])))
      .digest('base64url');
    return { plan: { rows, counts: countOutcomes(rows), fingerprint }, groupIds };
  }
}

type CsvRecord = { line: number; name: string; email: string; usergroups: string | undefined; fieldCount: number; expectedFields: number };

/** The file's rows by column name, through csv-parse (RFC 4180 quoting, a BOM, CRLF). */
function parseCsv(csv: string): CsvRecord[] {
  if (csv.length > IMPORT_LIMITS.maxCharacters) {
    throw new FrontdoorError('import.too_large', `The file has more than ${IMPORT_LIMITS.maxCharacters} characters: split it into smaller files.`);
  }
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(csv, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 4096 }) as unknown as typeof parsed;
  } catch (error) {
    if (error instanceof CsvError) {
      throw new FrontdoorError('import.csv_invalid', `The file is not valid CSV: ${error.message}.`, { line: (error as { lines?: number }).lines });
    }
    throw error;
  }
  const [header, ...data] = parsed;
  if (!header) throw new FrontdoorError('import.csv_invalid', 'The file is empty: the first line names the columns (name,email,usergroups).');
  const names = header.record.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !(COLUMNS as readonly string[]).includes(n));
  const index = (column: string) => names.indexOf(column);
  if (unknown.length || index('name') < 0 || index('email') < 0 || new Set(names).size !== names.length) {
    throw new FrontdoorError('import.csv_invalid', `The first line names the columns: name and email, optionally usergroups (found: ${names.join(', ') || 'nothing'}).`);
  }
  if (data.length === 0) throw new FrontdoorError('import.csv_invalid', 'The file has a header and no rows.');
  if (data.length > IMPORT_LIMITS.maxRows) {
    throw new FrontdoorError('import.too_large', `The file has ${data.length} rows; at most ${IMPORT_LIMITS.maxRows} at a time: split it.`);
  }
  const cell = (record: string[], column: string) => (index(column) < 0 ? '' : (record[index(column)] ?? ''));
  return data.map(({ record, info }) => ({
    line: info.lines, name: cell(record, 'name'), email: cell(record, 'email'), usergroups: index('usergroups') < 0 ? undefined : cell(record, 'usergroups'),
    fieldCount: record.length, expectedFields: names.length,
  }));
}

function countOutcomes(rows: readonly ImportRow[]): ImportPlan['counts'] {
  const counts = { created: 0, updated: 0, unchanged: 0, refused: 0 };
  for (const row of rows) counts[row.outcome] += 1;
  return counts;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
