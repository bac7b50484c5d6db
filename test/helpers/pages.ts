// Reading our server-rendered pages in tests.

/** The CSRF token of the first form on a page. */
export const csrfOf = (text: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(text);
  if (!match) throw new Error(`no CSRF token on the page: ${text.slice(0, 200)}`);
  return match[1]!;
};

/** A page with every form value blanked: for comparing two answers that must not differ (enumeration). */
export const withoutTokens = (text: string): string => text.replace(/value="[^"]*"/g, 'value=""');
