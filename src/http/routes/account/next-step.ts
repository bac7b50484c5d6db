import type { Audience } from '../../../core/audience.ts';
import type { Session } from '../../../core/sessions.ts';
import type { AccountDoor } from './doors.ts';

/** Where a first factor sends the browser next: the second factor, its set-up, or the page it wanted. */
export function nextStepAfterFirstFactor(door: Pick<AccountDoor, 'loginPath' | 'homePath'>, session: Session, returnTo: string): string {
  const query = returnTo === door.homePath ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  if (session.restriction === 'second_factor') return `${door.loginPath}/2fa${query}`;
  if (session.restriction === 'two_factor_setup') return `${door.loginPath}/2fa/setup${query}`;
  return returnTo;
}

/** Where an external sign-in of this audience goes next: the page asked for, or the second factor. */
export function nextStepAfterExternalSignIn(audience: Audience, session: Session, returnTo: string): string {
  const door = audience === 'users' ? { loginPath: '/login', homePath: '/' } : { loginPath: '/agent/login', homePath: '/agent' };
  return nextStepAfterFirstFactor(door, session, returnTo);
}
