import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAcceptLanguage } from '../../src/i18n/accept-language.ts';
import { assertRefused, refusalCode } from '../helpers/attacks.ts';
import { csrfOf, formFields } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// Languages (issue 18 part 7): the person's own setting, then the browser's explicit choice
// (the footer's `lang` cookie), then Accept-Language matched against the languages offered,
// then the helpdesk default; the admin chooses what is offered, and refusals store nothing.

const PASSWORD = 'correct horse battery';
const langOf = (text: string) => /<html lang="([^"]+)">/.exec(text)?.[1];

describe('languages', () => {
  let server: TestServer;
  let apiKey: string;
  let admin: TestClient;
  const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${apiKey}` });
  const page = (path: string, acceptLanguage?: string, client = server.client()) => client.get(path, acceptLanguage ? { 'accept-language': acceptLanguage } : {});

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    ({ key: apiKey } = await s.apiKeys.create('tests', null));
    await s.people.create({ audience: 'users', name: 'Una', email: 'una@example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => server.close());

  it('parses Accept-Language q-values: best first, ties in the header’s order, q=0 and malformed entries dropped', () => {
    assert.deepEqual(parseAcceptLanguage('fr;q=0.5, de-CH, es;q=0.9, en;q=0, *;q=0.1, x_y, it;q=2'), [
      { primary: 'de', q: 1 }, { primary: 'es', q: 0.9 }, { primary: 'fr', q: 0.5 },
    ]);
    assert.deepEqual(parseAcceptLanguage(undefined), []);
  });

  it('de-CH,de;q=0.9 gives the German sign-in page with lang="de"', async () => {
    const response = await page('/login', 'de-CH,de;q=0.9');
    assert.equal(response.status, 200);
    assert.equal(langOf(response.text), 'de');
    assert.match(response.text, /<h1>Anmelden<\/h1>/);
    assert.match(response.text, /<label>Passwort <input/);
    assert.match(response.text, /<title>Anmelden · Hilfe-Center<\/title>/);
  });

  it('follows the q-values, not the order, and falls back to the default', async () => {
    assert.equal(langOf((await page('/login', 'fr;q=0.4, es;q=0.8')).text), 'es');
    assert.equal(langOf((await page('/login', 'it, pt;q=0.9')).text), 'en');
    assert.equal(langOf((await page('/login')).text), 'en');
    assert.match((await page('/login', 'es')).text, /<h1>Iniciar sesión<\/h1>/);
  });

  it('skips a language the Help Center does not offer, and answers the default when none matches', async () => {
    assert.equal((await api('PATCH', '/api/v1/settings/languages', { offered: ['en', 'fr', 'es'], defaultLanguage: 'fr' })).status, 200);
    try {
      assert.equal(langOf((await page('/login', 'de, es;q=0.5')).text), 'es');
      assert.equal(langOf((await page('/login', 'de')).text), 'fr');
      // The consoles speak every language: German stays German there.
      assert.equal(langOf((await page('/agent/login', 'de')).text), 'de');
      const menu = (await page('/login', 'de')).text;
      assert.doesNotMatch(menu, /value="de" lang="de"/, 'German is not in the Help Center’s menu');
      assert.match(menu, /value="es" lang="es">Español</);
    } finally {
      await api('PATCH', '/api/v1/settings/languages', { offered: ['en', 'de', 'fr', 'es'], defaultLanguage: 'en' });
    }
  });

  it('the footer menu sets a year-long lang cookie for an anonymous visitor and answers 303 back to the page', async () => {
    const visitor = server.client();
    const login = await page('/login?return_to=%2Farticles', 'en', visitor);
    const fields = formFields(login.text, '/language');
    assert.equal(fields.return_to, '/login?return_to=%2Farticles');
    const chosen = await visitor.postForm('/language', { ...fields, lang: 'de' });
    assert.equal(chosen.status, 303);
    assert.equal(chosen.location, '/login?return_to=%2Farticles');
    const cookie = chosen.headers.getSetCookie().find((c) => c.startsWith('lang='));
    assert.ok(cookie, 'a lang cookie');
    assert.match(cookie, /Max-Age=31536000/);
    assert.match(cookie, /SameSite=Lax/);
    // The cookie outranks Accept-Language, on every page after.
    assert.equal(langOf((await page('/login', 'fr', visitor)).text), 'de');
    assert.equal(langOf((await page('/', 'fr', visitor)).text), 'de');
  });

  it('the menu keeps the visitor on the site and refuses a language not offered, without the cookie', async () => {
    const visitor = server.client();
    const fields = formFields((await page('/login', undefined, visitor)).text, '/language');
    const away = await visitor.postForm('/language', { ...fields, lang: 'fr', return_to: 'https://evil.example/' });
    assert.equal(away.location, '/');
    visitor.cookies.delete('lang');
    const refused = await visitor.postForm('/language', { ...fields, lang: 'it' });
    assert.equal(refused.status, 400);
    assert.equal(refusalCode(refused), 'request.invalid');
    assert.equal(refused.headers.getSetCookie().some((c) => c.startsWith('lang=')), false);
  });

  it('refuses the menu without this browser’s CSRF token', async () => {
    const response = await server.client().postForm('/language', { lang: 'de', return_to: '/' });
    assertRefused(response, 'request.csrf_invalid');
  });

  it('a person’s own setting beats the header and the cookie; the account page saves it (POST-redirect-GET)', async () => {
    const una = server.client();
    assert.equal((await una.signIn('una@example.com', PASSWORD)).status, 303);
    una.cookies.set('lang', 'fr');
    const account = await page('/account', 'es', una);
    assert.equal(langOf(account.text), 'fr');
    const saved = await una.postForm('/account/language', { ...formFields(account.text, '/account/language'), language: 'de' });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/account?notice=language_saved');
    const after = await page(saved.location!, 'es', una);
    assert.equal(langOf(after.text), 'de');
    assert.match(after.text, /Ihre Sprache ist gespeichert\./);
    assert.match(after.text, /<option value="de" lang="de" selected>Deutsch<\/option>/);
    const person = (await server.services.people.findForSignIn('users', 'una@example.com'))!.person;
    assert.equal(person.language, 'de');
    // Back to following the browser.
    await una.postForm('/account/language', { _csrf: csrfOf(after.text), language: '' });
    una.cookies.delete('lang');
    assert.equal(langOf((await page('/account', 'es', una)).text), 'es');
    const refused = await una.postForm('/account/language', { _csrf: csrfOf(after.text), language: 'it' });
    assert.equal(refusalCode(refused), 'request.invalid');
    assert.equal((await server.services.people.findForSignIn('users', 'una@example.com'))!.person.language, null);
  });

  it('the footer menu, signed in, saves the person’s own setting too', async () => {
    const una = server.client();
    await una.signIn('una@example.com', PASSWORD);
    const home = await page('/', undefined, una);
    const chosen = await una.postForm('/language', { ...formFields(home.text, '/language'), lang: 'es' });
    assert.equal(chosen.location, '/');
    assert.equal((await server.services.people.findForSignIn('users', 'una@example.com'))!.person.language, 'es');
    una.cookies.delete('lang');
    assert.equal(langOf((await page('/', 'de', una)).text), 'es');
    await server.services.people.setLanguage((await server.services.people.findForSignIn('users', 'una@example.com'))!.person.id, 'users', null);
  });

  it('error pages are drawn in the reader’s language', async () => {
    const missing = await page('/no-such-page', 'de');
    assert.equal(missing.status, 404);
    assert.equal(langOf(missing.text), 'de');
    assert.match(missing.text, /<h1>Nicht gefunden<\/h1>/);
    assert.match(missing.text, /Unter dieser Adresse gibt es nichts\./);
    assert.equal(refusalCode(missing), 'request.not_found');
  });

  it('a wrong password is refused in German on a German sign-in page', async () => {
    const visitor = server.client();
    const login = await page('/login', 'de', visitor);
    const refused = await visitor.request('POST', '/login', {
      body: new URLSearchParams({ _csrf: csrfOf(login.text), email: 'una@example.com', password: 'not the password' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'de' },
    });
    assert.equal(refusalCode(refused), 'auth.invalid_credentials');
    assert.match(refused.text, /E-Mail-Adresse oder Passwort stimmen nicht\./);
  });

  it('admin console: the Languages section saves what is offered and the default, audited', async () => {
    const section = await admin.get('/admin/settings/languages');
    assert.equal(section.status, 200);
    assert.match(section.text, /aria-current="page">Languages</);
    const fields = formFields(section.text, '/admin/settings/languages');
    const saved = await admin.request('POST', '/admin/settings/languages', {
      body: new URLSearchParams([['_csrf', fields._csrf!], ['offered', 'en'], ['offered', 'de'], ['defaultLanguage', 'de']]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/admin/settings/languages?notice=saved');
    assert.deepEqual(await server.services.languages.settings(), { offered: ['en', 'de'], defaultLanguage: 'de' });
    const [event] = await server.services.audit.list({ action: 'settings.languages_changed', limit: 1 });
    assert.deepEqual(event!.details, { offered: ['en', 'de'], defaultLanguage: 'de' });
    assert.equal(event!.actor.type, 'person');
    assert.equal(langOf((await page('/login', 'fr')).text), 'de');
    await api('PATCH', '/api/v1/settings/languages', { offered: ['en', 'de', 'fr', 'es'], defaultLanguage: 'en' });
  });

  it('admin console and API refuse a default not offered, and offering nothing, storing nothing', async () => {
    const stored = await server.services.languages.settings();
    const audited = (await server.services.audit.list({ action: 'settings.languages_changed' })).length;
    const fields = formFields((await admin.get('/admin/settings/languages')).text, '/admin/settings/languages');
    const post = (pairs: string[][]) => admin.request('POST', '/admin/settings/languages', {
      body: new URLSearchParams([['_csrf', fields._csrf!], ...pairs]).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const notOffered = await post([['offered', 'en'], ['offered', 'fr'], ['defaultLanguage', 'de']]);
    assert.equal(notOffered.status, 400);
    assert.match(notOffered.text, /<code>languages\.default_not_offered<\/code>/);
    assert.match(notOffered.text, /The default language \(de\) must be one of the languages offered/);
    const nothing = await post([['defaultLanguage', 'en']]);
    assert.equal(nothing.status, 400);
    assert.match(nothing.text, /<code>request\.invalid<\/code>/);
    assert.match(nothing.text, /<code>offered<\/code>/);
    const viaApi = await api('PATCH', '/api/v1/settings/languages', { offered: ['es'] });
    assert.equal(viaApi.status, 400);
    assert.equal(viaApi.json.error.code, 'languages.default_not_offered');
    assert.equal((await api('PATCH', '/api/v1/settings/languages', { offered: ['en', 'xx'] })).json.error.code, 'request.invalid');
    assert.deepEqual(await server.services.languages.settings(), stored);
    assert.equal((await server.services.audit.list({ action: 'settings.languages_changed' })).length, audited);
    assert.deepEqual((await api('GET', '/api/v1/settings/languages')).json.languages, stored);
  });

  it('the admin console chrome follows the admin’s language', async () => {
    const german = await admin.get('/admin/settings/languages', { 'accept-language': 'de' });
    assert.equal(langOf(german.text), 'de');
    assert.match(german.text, /aria-current="page">Sprachen</);
    assert.match(german.text, />Benutzergruppen</);
    const registration = await admin.get('/admin/settings/registration', { 'accept-language': 'de' });
    assert.match(registration.text, /<h1>Registrierung und Kontoeinstellungen<\/h1>/);
    assert.match(registration.text, /Zwei-Faktor-Authentifizierung für Agenten \(Agenten-Konsole\)/);
    const sessions = await admin.get('/admin/settings/sessions', { 'accept-language': 'es' });
    assert.match(sessions.text, /<h1>Sesiones<\/h1>/);
    assert.match(sessions.text, /De 5 a 129600; vacío:/);
  });

  it('the admin console refuses a change without the CSRF token', async () => {
    const response = await admin.postForm('/admin/settings/languages', { offered: 'en', defaultLanguage: 'en' });
    assert.equal(refusalCode(response), 'request.csrf_invalid');
    assert.deepEqual((await server.services.languages.settings()).offered, ['en', 'de', 'fr', 'es']);
  });
});
