import type { Session } from '../../core/sessions.ts';
import { t } from '../../i18n/t.ts';
import { html, type SafeHtml } from '../html.ts';

/**
 * A session past its first factor only: it grants nothing until the second factor (or its
 * set-up) is done, so it is not listed as if the person were signed in.
 */
export function restrictionBadge(session: Session): SafeHtml {
  if (session.restriction === 'second_factor') return html` <span class="badge">${t('console.session.secondFactorPending')}</span>`;
  if (session.restriction === 'two_factor_setup') return html` <span class="badge">${t('console.session.setupPending')}</span>`;
  return html``;
}
