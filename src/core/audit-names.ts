import type { Queryable } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import type { AuditEvent } from './audit.ts';
import { isLanguage, type Language } from './languages.ts';
import { isMailKind, MAIL_KINDS, type MailKind } from './mail-templates/kinds.ts';

// The audit log shows who and what by name (issue 18 part 4): the ids of a page of events,
// looked up in one query per kind of thing. What no longer exists has no name, and the page
// says so instead of guessing; the event itself keeps the id.

export type AuditSubject = { type: string; id: string };
export type AuditName = {
  name: string; audience?: Audience | undefined; /** A session: whose it is. */ personId?: string | undefined;
  /** An app: its type, so that a page can say the built-in app's default name in its language. */ appType?: string | undefined;
  /** An email template: its kind and language, so that a page can name it in its own language (`name` is the English). */
  mailTemplate?: { kind: MailKind; language: Language } | undefined;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const LOOKUPS: Record<string, string> = {
  person: 'SELECT id::text, name, audience, NULL AS person_id, NULL AS app_type FROM people WHERE id = ANY($1::uuid[])',
  app: 'SELECT id::text, name, audience, NULL AS person_id, type AS app_type FROM auth_apps WHERE id = ANY($1::uuid[])',
  usergroup: 'SELECT id::text, name, NULL AS audience, NULL AS person_id, NULL AS app_type FROM usergroups WHERE id = ANY($1::uuid[])',
  article: 'SELECT id::text, title AS name, NULL AS audience, NULL AS person_id, NULL AS app_type FROM articles WHERE id = ANY($1::uuid[])',
  api_key: 'SELECT id::text, name, NULL AS audience, NULL AS person_id, NULL AS app_type FROM api_keys WHERE id = ANY($1::uuid[])',
  session: `SELECT s.id::text, p.name, p.audience, p.id::text AS person_id, NULL AS app_type FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.id = ANY($1::uuid[])`,
};

export const auditKey = (subject: AuditSubject) => `${subject.type}:${subject.id}`;

/** Things named by their id alone, nothing to look up: an email template is `kind:language`. */
function fixedName(subject: AuditSubject): AuditName | undefined {
  if (subject.type !== 'mail_template') return undefined;
  const [kind, language] = subject.id.split(':');
  return isMailKind(kind) && isLanguage(language) ? { name: `${MAIL_KINDS[kind].label} (${language})`, mailTemplate: { kind, language } } : undefined;
}

/** Names of the actors and targets of `events`, by auditKey. */
export async function auditNames(db: Queryable, events: readonly AuditEvent[]): Promise<Map<string, AuditName>> {
  const idsByType = new Map<string, Set<string>>();
  const add = (type: string, id: string | null) => {
    if (!id || !UUID.test(id) || !LOOKUPS[type]) return;
    (idsByType.get(type) ?? idsByType.set(type, new Set()).get(type)!).add(id);
  };
  const names = new Map<string, AuditName>();
  for (const event of events) {
    add(event.actor.type, event.actor.id);
    if (event.target) add(event.target.type, event.target.id);
    const fixed = event.target && fixedName(event.target);
    if (fixed) names.set(auditKey(event.target!), fixed);
  }
  for (const [type, ids] of idsByType) {
    const rows = await db.query<{ id: string; name: string; audience: Audience | null; person_id: string | null; app_type: string | null }>(LOOKUPS[type]!, [[...ids]]);
    for (const row of rows) {
      names.set(auditKey({ type, id: row.id }), { name: row.name, audience: row.audience ?? undefined, personId: row.person_id ?? undefined, appType: row.app_type ?? undefined });
    }
  }
  return names;
}
