import type { Session } from '../../core/sessions.ts';
import { html, type SafeHtml } from '../html.ts';

/**
 * A session past its first factor only: it grants nothing until the second factor (or its
 * set-up) is done, so it is not listed as if the person were signed in.
 */
export function restrictionBadge(session: Session): SafeHtml {
  if (session.restriction === 'second_factor') return html` <span class="badge">second factor pending</span>`;
  if (session.restriction === 'two_factor_setup') return html` <span class="badge">two-factor set-up pending</span>`;
  return html``;
}
