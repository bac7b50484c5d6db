// Reading our server-rendered pages in tests.

/** The CSRF token of the first form on a page. */
export const csrfOf = (text: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(text);
  if (!match) throw new Error(`no CSRF token on the page: ${text.slice(0, 200)}`);
  return match[1]!;
};

/** A page with every form value blanked: for comparing two answers that must not differ (enumeration). */
export const withoutTokens = (text: string): string => text.replace(/value="[^"]*"/g, 'value=""');

const unescape = (value: string) => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');

/**
 * What a browser would submit from the form posting to `action` on this page, untouched: text,
 * hidden and password inputs with their values, ticked checkboxes only, textareas, and each
 * select's chosen option. Tests then change only what a person would change.
 */
export function formFields(text: string, action: string): Record<string, string> {
  const start = text.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action}`);
  const form = text.slice(start, text.indexOf('</form>', start));
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]+)"/.exec(tag)?.[1];
    if (!name) continue;
    const type = /\btype="([^"]+)"/.exec(tag)?.[1] ?? 'text';
    const value = unescape(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? (type === 'checkbox' ? 'on' : ''));
    if (type === 'checkbox' && !/\schecked\b/.test(tag)) continue;
    fields[unescape(name)] = value;
  }
  for (const [, name, body] of form.matchAll(/<textarea\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[unescape(name!)] = unescape(body!);
  for (const [, name, body] of form.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)" selected>/.exec(body!) ?? /<option value="([^"]*)"/.exec(body!);
    if (chosen) fields[unescape(name!)] = unescape(chosen[1]!);
  }
  return fields;
}
