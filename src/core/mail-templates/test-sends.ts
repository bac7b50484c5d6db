import type { Database } from '../../storage/database.ts';
import type { Actor, AuditLog } from '../audit.ts';
import { FrontdoorError } from '../errors.ts';
import type { Language } from '../languages.ts';
import type { MailKind } from './kinds.ts';

// "Send a test to me" goes only to the admin's own primary email, so it relays nothing to
// strangers; but each click is a real email from the helpdesk's domain, sent at once. A
// stolen admin session, or a script on one, could otherwise have it send without end (mail
// bombing the admin's inbox, and burning the domain's sending reputation with the relay), and
// nobody would see it. So every test send is audited (`mail_template.test_sent`, success or
// failure, with where it went), and the audit log is the counter: any node sees the same
// number. Two sends racing on two nodes may both pass the last free slot; the bound is
// per hour, not exact to the email.

export const TEST_SENDS_PER_HOUR = 20;

/** Refuses with `mail_template.test_throttled` once this admin sent TEST_SENDS_PER_HOUR tests in the last hour. */
export async function assertTestSendAllowed(db: Database, adminId: string): Promise<void> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'mail_template.test_sent' AND actor_id = $1 AND at > now() - interval '1 hour'`,
    [adminId],
  );
  if ((row?.n ?? 0) >= TEST_SENDS_PER_HOUR) {
    throw new FrontdoorError('mail_template.test_throttled', `You sent ${TEST_SENDS_PER_HOUR} test emails in the last hour, the most allowed. Use Preview to check a draft; test sends are possible again within the hour.`, { limit: TEST_SENDS_PER_HOUR });
  }
}

/** The audit event of one test send: where it went and whether the SMTP server took it. */
export function recordTestSend(audit: AuditLog, input: { kind: MailKind; language: Language; to: string; actor: Actor; ip: string | undefined; refusedBy?: string | undefined }): Promise<void> {
  return audit.record({
    action: 'mail_template.test_sent', outcome: input.refusedBy === undefined ? 'success' : 'failure',
    reason: input.refusedBy === undefined ? undefined : 'mail_template.test_refused', actor: input.actor, ip: input.ip,
    target: { type: 'mail_template', id: `${input.kind}:${input.language}` },
    details: { kind: input.kind, language: input.language, to: input.to, ...(input.refusedBy === undefined ? {} : { smtp: input.refusedBy.slice(0, 300) }) },
  });
}
