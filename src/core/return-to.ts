/**
 * The page to go to after sign-in, only if it is a path on PUBLIC_URL; anything else (other
 * hosts, `//host`, `/\host`, `javascript:`, look-alike hosts, control characters) gives
 * `fallback`. Returns a path with query and fragment, never an absolute URL, so the
 * result cannot leave the site even if PUBLIC_URL's host is spelled differently.
 */
export function safeReturnTo(raw: unknown, publicUrl: URL, fallback = '/'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return fallback;
  // Browsers treat backslashes as slashes and drop tabs/newlines: refuse both outright.
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let target: URL;
  try {
    target = new URL(raw, publicUrl);
  } catch {
    return fallback;
  }
  if (target.origin !== publicUrl.origin) return fallback;
  if (!raw.startsWith('/') && !raw.startsWith(publicUrl.origin + '/') && raw !== publicUrl.origin) return fallback;
  if (raw.startsWith('//')) return fallback;
  const basePath = publicUrl.pathname.replace(/\/$/, '');
  if (basePath && target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`)) return fallback;
  return `${target.pathname}${target.search}${target.hash}`;
}
