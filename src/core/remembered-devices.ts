import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../storage/database.ts';
import type { Audience } from './audience.ts';
import type { Actor, AuditLog } from './audit.ts';
import type { Clock } from './clock.ts';
import type { SessionPolicy } from './session-policy.ts';
import { hashToken, newToken } from './tokens.ts';

export type RememberedDevice = {
  id: string;
  personId: string;
  audience: Audience;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  ip: string | null;
  userAgent: string | null;
};

type DeviceRow = {
  id: string; person_id: string; audience: Audience; created_at: Date; expires_at: Date; last_used_at: Date | null; ip: string | null; user_agent: string | null;
};

const COLUMNS = 'id, person_id, audience, created_at, expires_at, last_used_at, ip, user_agent';
const DAY_MS = 86_400_000;

/**
 * "Remember this device" for the second factor (issue 18 part 8): after a good code, a
 * browser may get a random token (kept only as its SHA-256) that lets this one person of this
 * one audience skip the second factor there until it expires. It never stands in for the first
 * factor: it is only looked at while a session already waits for the second factor, and only
 * for that session's person. Off unless an admin sets a number of days for the audience; a
 * shorter number, or off, applies at once to devices already remembered.
 */
export class RememberedDevices {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #audit: AuditLog;
  readonly #policy: SessionPolicy;

  constructor(deps: { db: Database; clock: Clock; audit: AuditLog; policy: SessionPolicy }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#audit = deps.audit;
    this.#policy = deps.policy;
  }

  /** Days a device is remembered in this audience, or null: not offered. */
  async offeredDays(audience: Audience): Promise<number | null> {
    return (await this.#policy.settings())[audience].rememberDeviceDays;
  }

  /** After a good second factor: the device's token (for its cookie), or undefined while the audience has it off. */
  async remember(person: { id: string; audience: Audience }, input: { ip?: string | undefined; userAgent?: string | undefined }): Promise<{ token: string; device: RememberedDevice } | undefined> {
    const days = await this.offeredDays(person.audience);
    if (!days) return undefined;
    const token = newToken();
    const now = this.#clock.now();
    const [row] = await this.#db.query<DeviceRow>(
      `INSERT INTO remembered_devices (id, token_hash, person_id, audience, created_at, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [randomUUID(), hashToken(token), person.id, person.audience, now, new Date(now.getTime() + days * DAY_MS), input.ip ?? null, input.userAgent?.slice(0, 500) ?? null],
    );
    const device = toDevice(row!);
    await this.#audit.record({
      action: 'two_factor.device_remembered', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id },
      target: { type: 'device', id: device.id }, ip: input.ip, details: { days },
    });
    return { token, device };
  }

  /**
   * The live device this token stands for, for exactly this person and audience, or undefined:
   * another person's token, one revoked, expired, older than the audience's days now, or any
   * token while the audience has remembering off. A match is recorded and audited as used.
   */
  async recognise(token: string | undefined, person: { id: string; audience: Audience }, ip: string | undefined): Promise<RememberedDevice | undefined> {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const days = await this.offeredDays(person.audience);
    if (!days) return undefined;
    const now = this.#clock.now();
    const [row] = await this.#db.query<DeviceRow>(
      `UPDATE remembered_devices SET last_used_at = $4
        WHERE token_hash = $1 AND person_id = $2 AND audience = $3 AND revoked_at IS NULL AND expires_at > $4 AND created_at > $5
        RETURNING ${COLUMNS}`,
      [hashToken(token), person.id, person.audience, now, new Date(now.getTime() - days * DAY_MS)],
    );
    if (!row) return undefined;
    const device = toDevice(row);
    await this.#audit.record({
      action: 'two_factor.device_used', outcome: 'success', audience: person.audience, actor: { type: 'person', id: person.id },
      target: { type: 'device', id: device.id }, ip,
    });
    return device;
  }

  /** The person's devices that still work (newest first). */
  async list(personId: string): Promise<RememberedDevice[]> {
    const now = this.#clock.now();
    const rows = await this.#db.query<DeviceRow>(
      `SELECT ${COLUMNS} FROM remembered_devices WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC`,
      [personId, now],
    );
    return rows.map(toDevice);
  }

  /** Forgets one device of this person; false when there is no such live device of theirs. */
  async revoke(personId: string, deviceId: string, actor: Actor, ip?: string): Promise<boolean> {
    const [row] = await this.#db.query<{ audience: Audience }>(
      `UPDATE remembered_devices SET revoked_at = $3, revoked_reason = $4 WHERE id = $1 AND person_id = $2 AND revoked_at IS NULL RETURNING audience`,
      [deviceId, personId, this.#clock.now(), actor.type === 'person' && actor.id === personId ? 'forgotten by its person' : 'revoked by an admin'],
    );
    if (!row) return false;
    await this.#audit.record({ action: 'two_factor.device_revoked', outcome: 'success', audience: row.audience, actor, target: { type: 'device', id: deviceId }, ip, details: { personId } });
    return true;
  }

  /**
   * Forgets every device of the person (password reset, second factors removed, an admin's
   * button), audited with how many; in the caller's transaction when given one.
   */
  async revokeAllFor(person: { id: string; audience: Audience }, reason: string, actor: Actor, q: Queryable = this.#db): Promise<number> {
    const rows = await q.query(
      'UPDATE remembered_devices SET revoked_at = $2, revoked_reason = $3 WHERE person_id = $1 AND revoked_at IS NULL RETURNING id',
      [person.id, this.#clock.now(), reason],
    );
    if (rows.length > 0) {
      await this.#audit.record({
        action: 'two_factor.device_revoked', outcome: 'success', audience: person.audience, actor, target: { type: 'person', id: person.id },
        details: { reason, revoked: rows.length },
      }, q);
    }
    return rows.length;
  }
}

function toDevice(row: DeviceRow): RememberedDevice {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id, personId: row.person_id, audience: row.audience, createdAt: iso(row.created_at)!, expiresAt: iso(row.expires_at)!,
    lastUsedAt: iso(row.last_used_at), ip: row.ip, userAgent: row.user_agent,
  };
}
