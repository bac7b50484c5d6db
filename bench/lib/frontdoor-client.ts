// The few HTTP steps a benchmark needs to set up a browser's state on a real Frontdoor:
// a CSRF cookie and token, a registered User, their session cookie.

export type BrowserState = { cookie: string; csrfToken: string };

function cookiesOf(response: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = pair!.indexOf('=');
    jar.set(pair!.slice(0, index), pair!.slice(index + 1));
  }
  return jar;
}

const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Loads a form page and returns its CSRF cookie and token. */
export async function formState(baseUrl: string, path: string): Promise<BrowserState> {
  const response = await fetch(`${baseUrl}${path}`);
  const html = await response.text();
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrfToken) throw new Error(`no CSRF token on ${path} (${response.status})`);
  return { cookie: header(cookiesOf(response)), csrfToken };
}

/** Registers a User through the real form and returns the session cookie it got. */
export async function registerUser(baseUrl: string, person: { name: string; email: string; password: string }): Promise<string> {
  const form = await formState(baseUrl, '/register');
  const response = await fetch(`${baseUrl}/register`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ _csrf: form.csrfToken, ...person }).toString(),
  });
  if (response.status !== 303) throw new Error(`registration answered ${response.status}: ${await response.text()}`);
  const session = [...cookiesOf(response)].find(([name]) => name.includes('session_users'));
  if (!session) throw new Error('registration set no session cookie');
  return `${session[0]}=${session[1]}`;
}
