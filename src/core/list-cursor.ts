import { FrontdoorError } from './errors.ts';

// Keyset paging for the admin lists: a page ends with the key of its last row, and the next
// page starts after that key (WHERE (created_at, id) > key ORDER BY created_at, id LIMIT n).
// An OFFSET reads and throws away every row before the page, so the last page of a million
// people cost a million rows; a key is one index descent whatever the page. The cursor is
// opaque to clients (base64url of the key), and checked here before it reaches SQL.

/** One page of a list: the rows, and the cursor of the next page (null on the last one). */
export type ListPage<T> = { items: T[]; next: string | null };

/** What each part of a key must look like; a cursor that does not match is refused (400). */
export const KEY_PART = {
  /** A timestamp to the microsecond, as `keysetTimestamp` selects it (JavaScript dates stop at the millisecond). */
  timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  traceId: /^[A-Za-z0-9_-]{1,40}$/,
  bigint: /^\d{1,19}$/,
} as const;

/** A timestamptz column in the exact form a cursor carries: UTC, microseconds. */
export const keysetTimestamp = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: readonly RegExp[]): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid = Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === 'string' && shape[i]!.test(part));
  if (!valid) {
    throw new FrontdoorError('request.invalid', 'The request is not valid: after is not a cursor of this list (use the next link of a page).', {
      fields: [{ field: 'after', problem: 'not a cursor of this list' }],
    });
  }
  return key as string[];
}

/** The limit asked for, within the list's bounds. */
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  return Math.min(Math.max(Math.trunc(limit ?? fallback), 1), max);
}

/** Rows fetched as `size + 1`: the extra one only says whether a next page exists. */
export function toPage<Row, T>(rows: Row[], size: number, toItem: (row: Row) => T, keyOf: (row: Row) => string[]): ListPage<T> {
  const shown = rows.slice(0, size);
  return { items: shown.map(toItem), next: rows.length > size ? encodeCursor(keyOf(shown.at(-1)!)) : null };
}
