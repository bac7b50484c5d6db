import assert from 'node:assert/strict';
import type { ErrorCode } from '../../src/core/errors.ts';
import { ERROR_STATUS } from '../../src/core/errors.ts';
import type { Queryable } from '../../src/storage/database.ts';
import { accountCounts } from './counts.ts';
import type { TestResponse } from './server.ts';

/** The error code of a refusal: JSON `error.code`, a form's `data-code`, or the error page's `Error <code>`. */
export function refusalCode(response: TestResponse): string | undefined {
  if (response.json?.error?.code) return response.json.error.code;
  return /data-code="([^"]+)"/.exec(response.text)?.[1] ?? /Error <code>([^<]+)<\/code>/.exec(response.text)?.[1];
}

export function setsSessionCookie(response: TestResponse): boolean {
  return response.headers.getSetCookie().some((c) => /^(__Host-)?fd_session_/.test(c) && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c));
}

/** The refusal an attack must meet: this code and its documented status, no session cookie, never a 5xx. */
export function assertRefused(response: TestResponse, code: ErrorCode): void {
  assert.ok(response.status < 500, `5xx (${response.status}) for an attack: ${response.text.slice(0, 300)}`);
  assert.equal(refusalCode(response), code, `status ${response.status}: ${response.text.slice(0, 300)}`);
  assert.equal(response.status, ERROR_STATUS[code]);
  assert.equal(setsSessionCookie(response), false, 'no session cookie on a refusal');
}

/** Runs `attack` and asserts it wrote no person, email, identity or session. */
export async function createsNothing<T>(db: Queryable, attack: () => Promise<T>): Promise<T> {
  const before = await accountCounts(db);
  const result = await attack();
  assert.deepEqual(await accountCounts(db), before, 'a refused request created nothing');
  return result;
}

/** Ways a `return_to` could try to leave the site; each must land on a path here. */
export const OPEN_REDIRECTS = [
  'https://evil.example.net/phish',
  '//evil.example.net/phish',
  '///evil.example.net',
  '/\\evil.example.net',
  '\\\\evil.example.net',
  '/\t/evil.example.net',
  ' //evil.example.net',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http:evil.example.net',
  'https://localhost:8080@evil.example.net/',
  'http://localhost:8080.evil.example.net/',
  '%2F%2Fevil.example.net',
];

/** A redirect target that stays on the site: a path, never `//host` or a scheme. */
export function assertStaysOnSite(location: string | null): void {
  assert.ok(location, 'a redirect');
  assert.match(location, /^\/(?![/\\])/, `left the site: ${location}`);
}
