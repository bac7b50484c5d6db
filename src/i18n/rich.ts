import { escapeHtml, SafeHtml } from '../http/html.ts';
import type { MessageKey } from './en.ts';
import { t } from './t.ts';

// A message with markup inside (a link in a sentence): the message's own text is escaped like
// any other, and only the values passed as SafeHtml (built with `html`) stay markup. Each such
// value goes through the formatter as a placeholder character pair that no message contains.

const MARK = '\u0001';

export function tHtml(key: MessageKey, values: Record<string, SafeHtml | string | number>): SafeHtml {
  const markup: SafeHtml[] = [];
  const plain: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value instanceof SafeHtml) {
      plain[name] = `${MARK}${markup.length}${MARK}`;
      markup.push(value);
    } else plain[name] = value;
  }
  const text = escapeHtml(t(key, plain));
  return new SafeHtml(text.replace(/\u0001(\d+)\u0001/g, (_, index: string) => markup[Number(index)]!.value));
}
