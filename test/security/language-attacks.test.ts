import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAcceptLanguage } from '../../src/i18n/accept-language.ts';
import { assertRefused, assertStaysOnSite, OPEN_REDIRECTS } from '../helpers/attacks.ts';
import { formFields } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// An attacker's look at the language menu and Accept-Language (issue 18 part 7): the footer's
// POST /language as an open redirect, a CSRF or a way to set cookies; the `lang` cookie and the
// Accept-Language header as input that could crash, slow or reflect. test/http/languages.test.ts
// has the plain refusals (a language not offered, no CSRF token, one off-site return_to).

const PASSWORD = 'correct horse battery';
const langOf = (text: string) => /<html lang="([^"]+)">/.exec(text)?.[1];
const setsLangCookie = (headers: Headers) => headers.getSetCookie().some((c) => c.startsWith('lang='));

describe('attacks on the language menu', () => {
  let server: TestServer;
  let visitor: TestClient;
  const menu = async (client: TestClient, path = '/login') => formFields((await client.get(path)).text, '/language');

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'users', name: 'Una', email: 'una@example.com', password: PASSWORD });
    visitor = server.client();
  });
  after(async () => server.close());

  it('never redirects off the site, whatever return_to says', async () => {
    const fields = await menu(visitor);
    for (const target of OPEN_REDIRECTS) {
      const chosen = await visitor.postForm('/language', { ...fields, lang: 'de', return_to: target });
      assert.equal(chosen.status, 303, target);
      assertStaysOnSite(chosen.location);
      assert.doesNotMatch(chosen.location!, /evil/, target);
    }
  });

  it("does not carry an off-site return_to from the page's own address into the menu", async () => {
    for (const target of OPEN_REDIRECTS) {
      const fields = await menu(visitor, `/login?return_to=${encodeURIComponent(target)}`);
      assert.doesNotMatch(decodeURIComponent(fields.return_to ?? ''), /evil/, `${target}: ${fields.return_to}`);
      assertStaysOnSite(fields.return_to ?? null);
    }
  });

  it('refuses a language that is not one string of the offered list, setting no cookie', async () => {
    const fields = await menu(visitor);
    const bodies = [
      `lang=de&lang=fr`, 'lang[]=de', 'lang=DE', 'lang=de%0d%0aSet-Cookie:%20session=1', 'lang=de;%20Path=/admin', 'lang=__proto__', 'lang=constructor', 'lang=', 'lang=de-DE',
    ].map((l) => `${new URLSearchParams({ _csrf: fields._csrf!, return_to: '/' })}&${l}`);
    for (const body of bodies) {
      const refused = await visitor.request('POST', '/language', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assertRefused(refused, 'request.invalid');
      assert.equal(setsLangCookie(refused.headers), false, body);
    }
    const json = await visitor.request('POST', '/language', { body: JSON.stringify({ _csrf: fields._csrf, lang: ['de'], return_to: '/' }), headers: { 'content-type': 'application/json' } });
    assert.ok(json.status >= 400 && json.status < 500, `JSON array: ${json.status}`);
    assert.equal(setsLangCookie(json.headers), false);
  });

  it('refuses a forged token, another browser\'s, and a cross-site request, changing nothing', async () => {
    const other = await menu(server.client());
    for (const token of ['', 'x'.repeat(43), other._csrf!]) {
      const refused = await visitor.postForm('/language', { _csrf: token, lang: 'de', return_to: '/' });
      assertRefused(refused, 'request.csrf_invalid');
      assert.equal(setsLangCookie(refused.headers), false);
    }
    const own = await menu(visitor);
    const crossSite = await visitor.request('POST', '/language', {
      body: new URLSearchParams({ ...own, lang: 'de' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    assertRefused(crossSite, 'request.csrf_invalid');
  });

  it("a User's session does not change their setting through a menu posted back to an agent page", async () => {
    const una = server.client();
    assert.equal((await una.signIn('una@example.com', PASSWORD)).status, 303);
    const fields = await menu(una, '/');
    const chosen = await una.postForm('/language', { ...fields, lang: 'fr', return_to: '/agent/login' });
    assert.equal(chosen.status, 303);
    assert.equal((await server.services.people.findForSignIn('users', 'una@example.com'))!.person.language, null, 'the agents audience is not theirs');
  });

  it('a lang cookie outside the offered languages is ignored, never reflected, never a 5xx', async () => {
    for (const value of ['xx', 'constructor', '__proto__', 'de%0d%0aX-Injected:%201', '"de"', 'de,fr', 'x'.repeat(4000)]) {
      const page = await server.client().get('/login', { cookie: `lang=${value}` });
      assert.equal(page.status, 200, value);
      assert.equal(langOf(page.text), 'en', `${value.slice(0, 20)}: the default`);
      assert.equal(page.headers.get('x-injected'), null);
      assert.equal(setsLangCookie(page.headers), false, 'a page never sets it');
    }
  });

  describe('Accept-Language', () => {
    it('huge, malformed or hostile headers answer the page, in the default when nothing valid asks for another', async () => {
      const headers: [string, string][] = [
        ['a 15 KB header of ranges', Array.from({ length: 1500 }, (_, i) => `x${i % 10}x;q=0.5`).join(',')],
        ['German only past the 32 ranges read', `${Array.from({ length: 40 }, () => 'it').join(',')},de`],
        ['one 12 KB range (dropped), then German', `${'a'.repeat(12_000)},de;q=0.1`],
        ['many subtags', `de${'-aaaaaaaa'.repeat(1000)}`],
        ['semicolons only', ';'.repeat(10_000)],
        ['q out of range', 'de;q=2, fr;q=-1, es;q=1.0001, it;q=0.5.5'],
        ['q twice: the last one counts', 'de;q=0.1;q=0.9, fr;q=0.5'],
        ['commas only', ','.repeat(10_000)],
        ['non-ASCII bytes (obs-text)', 'd\xe9, \xff\xfe'],
        ['a star', '*'],
      ];
      const expected = ['en', 'en', 'de', 'de', 'en', 'en', 'de', 'en', 'en', 'en'];
      for (const [index, [what, header]] of headers.entries()) {
        const page = await server.client().get('/login', { 'accept-language': header });
        assert.equal(page.status, 200, what);
        assert.equal(langOf(page.text), expected[index], what);
      }
    });

    it('parses at most 32 ranges of any header, and only well-formed ones', () => {
      assert.equal(parseAcceptLanguage(Array.from({ length: 10_000 }, () => 'de').join(',')).length, 32);
      assert.deepEqual(parseAcceptLanguage('de;q=2, fr;q=-1, es;q=1.0001, it;q=0.5.5'), [], 'a malformed q drops its entry');
      assert.deepEqual(parseAcceptLanguage('dé, ドイツ語, de-'), [], 'not a language tag');
    });

    it('a header over the server\'s limit is refused by Node with 431, not a 5xx', async () => {
      const response = await fetch(`${server.url}/login`, { headers: { 'accept-language': 'a'.repeat(20_000) } });
      assert.equal(response.status, 431);
    });
  });
});
