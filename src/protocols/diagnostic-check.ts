import { checkDetailText, checkMessage, type CheckMessage, type CheckValue } from '../i18n/check-details.ts';
import type { MessageKey } from '../i18n/en.ts';

/**
 * One check of an app's Test. `message` is the detail as a message key and its values, which
 * the console says in the page's language; `detail` is the same in English, what the admin API
 * answers (docs/API.md).
 */
export type DiagnosticCheck = { name: string; ok: boolean; detail: string; message: CheckMessage };

export function diagnosticCheck(name: string, ok: boolean, key: MessageKey, values?: Readonly<Record<string, CheckValue>>): DiagnosticCheck {
  const message = checkMessage(key, values);
  return { name, ok, detail: checkDetailText(message, 'en'), message };
}

/** A check whose detail was worked out as a message already (a probe's outcome). */
export function diagnosticCheckOf(name: string, ok: boolean, message: CheckMessage): DiagnosticCheck {
  return { name, ok, detail: checkDetailText(message, 'en'), message };
}

/** A length of time as a message (`5 minutes`), in the reader's language. */
export function durationMessage(seconds: number): CheckMessage {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return checkMessage('check.duration', { unit: 'second', count: s });
  if (s < 7200) return checkMessage('check.duration', { unit: 'minute', count: Math.round(s / 60) });
  if (s < 172_800) return checkMessage('check.duration', { unit: 'hour', count: Math.round(s / 3600) });
  return checkMessage('check.duration', { unit: 'day', count: Math.round(s / 86_400) });
}
