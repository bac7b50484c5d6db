import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Audience } from '../../src/core/audience.ts';
import type { Session, SessionRestriction } from '../../src/core/sessions.ts';
import { nextStepAfterSignIn } from '../../src/http/after-sign-in.ts';

// The one next step every way in shares (password form, registration, bypass link, SSO): a
// restricted session must land on its 2FA step, never on the page it asked for, or the second
// factor would be skipped by whoever holds the first.

const session = (audience: Audience, restriction: SessionRestriction | null) => ({ audience, restriction }) as Session;

describe('nextStepAfterSignIn', () => {
  it('sends a session waiting for its second factor to the challenge of its own audience, carrying return_to', () => {
    assert.equal(nextStepAfterSignIn('users', session('users', 'second_factor'), '/articles/1'), '/login/2fa?return_to=%2Farticles%2F1');
    assert.equal(nextStepAfterSignIn('agents', session('agents', 'second_factor'), '/admin/apps'), '/agent/login/2fa?return_to=%2Fadmin%2Fapps');
  });

  it('sends a person who must enrol to the set-up, and leaves out return_to when it is the home page', () => {
    assert.equal(nextStepAfterSignIn('users', session('users', 'two_factor_setup'), '/'), '/login/2fa/setup');
    assert.equal(nextStepAfterSignIn('agents', session('agents', 'two_factor_setup'), '/agent'), '/agent/login/2fa/setup');
  });

  it('sends a full session to the page it asked for', () => {
    assert.equal(nextStepAfterSignIn('users', session('users', null), '/articles/1'), '/articles/1');
    assert.equal(nextStepAfterSignIn('agents', session('agents', null), '/agent'), '/agent');
  });
});
