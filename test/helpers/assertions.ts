import assert from 'node:assert/strict';
import { FrontdoorError, type ErrorCode } from '../../src/core/errors.ts';

/** Asserts that `promise` rejects with a FrontdoorError of exactly this code. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: ErrorCode,
  more?: (error: FrontdoorError) => void,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof FrontdoorError, `expected a FrontdoorError, got ${String(error)}`);
    assert.equal(error.code, code);
    more?.(error);
    return true;
  });
}
