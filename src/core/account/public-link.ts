/** An absolute link to a path of this Frontdoor, under PUBLIC_URL's own path (mails carry these). */
export function publicLink(publicUrl: URL, path: string): string {
  return new URL(`${publicUrl.pathname.replace(/\/$/, '')}${path}`, publicUrl).href;
}
