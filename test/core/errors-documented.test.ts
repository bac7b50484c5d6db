import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ERROR_STATUS } from '../../src/core/errors.ts';

// Clients program against error codes, so each one is a promise: it must be in the docs with
// the status it really answers.
describe('error codes', () => {
  it('are each documented in docs/API.md with their HTTP status', async () => {
    const doc = await readFile(new URL('../../docs/API.md', import.meta.url), 'utf8');
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.ok(doc.includes(`| \`${code}\` | ${status} |`), `docs/API.md documents ${code} as ${status}`);
    }
  });
});
