import type { Language } from '../core/languages.ts';

// Accept-Language (RFC 9110 section 12.5.4): language ranges with optional q-values. A range
// is matched by its primary subtag (de-CH asks for German) against the languages offered,
// highest q first, the header's order breaking ties; q=0 means "not this one".

/** More ranges than any browser sends: the rest of a longer header is ignored, not parsed. */
const MAX_RANGES = 32;
const RANGE = /^([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*$/;
const QUALITY = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

export type LanguageRange = { primary: string; q: number };

/** The ranges of a header, best first; malformed entries are skipped, `*` is dropped (the default covers it). */
export function parseAcceptLanguage(header: string | undefined): LanguageRange[] {
  if (!header) return [];
  const ranges: (LanguageRange & { index: number })[] = [];
  for (const [index, entry] of header.split(',', MAX_RANGES).entries()) {
    const [tag = '', ...params] = entry.split(';').map((part) => part.trim());
    const range = RANGE.exec(tag);
    if (!range) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const quality = QUALITY.exec(param);
      if (quality) q = Number(quality[1]);
      else if (/^q=/i.test(param)) valid = false;
    }
    if (valid && q > 0) ranges.push({ primary: range[1]!.toLowerCase(), q, index });
  }
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).map(({ primary, q }) => ({ primary, q }));
}

/** The first offered language the header asks for, or undefined when it asks for none of them. */
export function matchAcceptLanguage(header: string | undefined, offered: readonly Language[]): Language | undefined {
  for (const range of parseAcceptLanguage(header)) {
    const found = offered.find((language) => language === range.primary);
    if (found) return found;
  }
  return undefined;
}
