import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { brandNameFor } from '../../src/core/brand.ts';
import { LOGO_MAX_BYTES } from '../../src/core/brand-logo.ts';
import type { Database } from '../../src/storage/database.ts';
import { freshDatabase } from '../helpers/database.ts';
import { startTestServer, type TestClient, type TestResponse, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/brand/${name}`, import.meta.url));
const PNG = fixture('logo.png');
const JPEG = fixture('logo.jpg');
const WEBP = fixture('logo.webp');
const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><circle r="4"/></svg>');
const HTML_AS_PNG = Buffer.from('<!doctype html><html><body><script>fetch("/api/v1/people")</script></body></html>');
// A PNG cut inside its header: the signature is there, the IHDR chunk (width, height) is not.
const TRUNCATED_PNG = PNG.subarray(0, 18);
// A real PNG header followed by padding past the limit.
const OVERSIZED_PNG = Buffer.concat([PNG, Buffer.alloc(LOGO_MAX_BYTES + 1024 - PNG.length, 0)]);

/** The stable code of a refusal: in the console's error box or on an error page. */
const codeOf = (response: TestResponse) => /Error <code>([^<]+)<\/code>/.exec(response.text)?.[1];

// The brand over HTTP: what an admin may upload and set, what is refused with which code (and
// then nothing stored, nothing audited), how the logo and stylesheet are served, and that every
// page is drawn with the brand.
describe('brand', () => {
  let server: TestServer;
  let admin: TestClient;

  const brandForm = async (client: TestClient, fields: Record<string, string>, logo?: { bytes: Buffer; type: string; filename: string }) => {
    const form = new FormData();
    form.append('_csrf', await client.csrfFrom('/admin/brand'));
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (logo) form.append('logo', new Blob([new Uint8Array(logo.bytes)], { type: logo.type }), logo.filename);
    return form;
  };
  const save = async (fields: Record<string, string>, logo?: { bytes: Buffer; type: string; filename: string }, client = admin) =>
    client.postMultipart('/admin/brand', await brandForm(client, fields, logo));
  const brandAudits = async () => server.services.audit.list({ action: 'brand.updated', limit: 100 });

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'agents', name: 'Bob Agent', email: 'bob@example.com', password: PASSWORD });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server?.close();
  });

  it('draws pages with the default names and no brand stylesheet or logo while nothing is set', async () => {
    const home = await server.client().get('/login');
    assert.match(home.text, /<a class="brand" href="\/"><span>Help Center<\/span><\/a>/);
    assert.match(home.text, /<title>Sign in · Help Center<\/title>/);
    assert.doesNotMatch(home.text, /brand\.css/);
    assert.equal((await server.client().get('/brand/logo')).status, 404);
    const css = await server.client().get('/brand.css?v=0');
    assert.equal(css.status, 200);
    assert.doesNotMatch(css.text, /--accent/);
  });

  it('saves name, sign-in text, colour and a PNG logo, audited, and every page shows them', async () => {
    const saved = await save({ name: 'Acme Support', signInText: 'Use your Acme account.\nTrouble? Call 555-0100.', color: '#0B6E4F' }, { bytes: PNG, type: 'image/png', filename: 'acme.png' });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/admin/brand?notice=saved');
    const brand = await server.services.brand.current();
    assert.equal(brand.name, 'Acme Support');
    assert.equal(brand.color, '#0b6e4f', 'stored lower case');
    assert.equal(brandNameFor(brand, 'users'), 'Acme Support');
    assert.equal(brand.logo?.contentType, 'image/png');
    assert.deepEqual(Buffer.from(brand.logo!.bytes), PNG);

    const [event] = await brandAudits();
    assert.equal(event?.actor.type, 'person');
    assert.deepEqual(event?.details.changed, ['name', 'signInText', 'color', 'logo']);
    assert.deepEqual(event?.details.logo, { contentType: 'image/png', bytes: PNG.length, width: 48, height: 48 });

    const login = await server.client().get('/login');
    const v = brand.version;
    assert.match(login.text, new RegExp(`<link rel="stylesheet" href="/assets/frontdoor.css">\\s*<link rel="stylesheet" href="/brand.css\\?v=${v}">`), 'brand.css comes after frontdoor.css');
    assert.match(login.text, new RegExp(`<img class="logo" src="/brand/logo\\?v=${v}" alt="Acme Support"><span>Acme Support</span>`));
    assert.match(login.text, /<title>Sign in · Acme Support<\/title>/);
    assert.match(login.text, /<p class="sign-in-text">Use your Acme account.\nTrouble\? Call 555-0100.<\/p>/);

    const agentLogin = await server.client().get('/agent/login');
    assert.match(agentLogin.text, /<p class="sign-in-text">Use your Acme account./, 'the agent sign-in shows it too');
    assert.match(agentLogin.text, /<span>Acme Support<\/span><span class="area">Agent console<\/span>/);
    const notFound = await server.client().get('/no-such-page');
    assert.equal(notFound.status, 404);
    assert.match(notFound.text, /alt="Acme Support"/, 'error pages go through the layout');
    assert.match((await server.client().get('/')).text, /<title>[^<]*Acme Support<\/title>/);
  });

  it('serves the logo with its sniffed type, nosniff, a sandboxing CSP, inline, cached by version', async () => {
    const { version } = await server.services.brand.current();
    const response = await fetch(`${server.url}/brand/logo?v=${version}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    assert.equal(response.headers.get('content-disposition'), 'inline');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), PNG);
    const stale = await fetch(`${server.url}/brand/logo?v=${version - 1}`);
    assert.equal(stale.headers.get('cache-control'), 'public, max-age=60', 'an old version is answered with the current logo, kept briefly');
  });

  it('serves brand.css with the colour and its derived shades', async () => {
    const { version } = await server.services.brand.current();
    const css = await server.client().get(`/brand.css?v=${version}`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(css.text, /--accent: #0b6e4f;/);
    assert.match(css.text, /--accent-strong: #[0-9a-f]{6};/);
    assert.match(css.text, /--accent-soft: #[0-9a-f]{6};/);
  });

  it('takes JPEG and WebP logos, judged by their bytes', async () => {
    for (const [bytes, type] of [[JPEG, 'image/jpeg'], [WEBP, 'image/webp']] as const) {
      // The part's declared type and name say nothing: both are sent as octet-stream, unnamed.
      assert.equal((await save({}, { bytes, type: 'application/octet-stream', filename: 'upload' })).status, 303);
      const { version } = await server.services.brand.current();
      const served = await fetch(`${server.url}/brand/logo?v=${version}`);
      assert.equal(served.headers.get('content-type'), type);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
    }
  });

  describe('refusals change nothing', () => {
    const refusals = [
      { what: 'an SVG logo', logo: { bytes: SVG, type: 'image/svg+xml', filename: 'logo.svg' }, status: 415, code: 'brand.logo_type_refused', says: /SVG logos are refused/ },
      { what: 'an HTML file named logo.png and sent as image/png', logo: { bytes: HTML_AS_PNG, type: 'image/png', filename: 'logo.png' }, status: 415, code: 'brand.logo_type_refused', says: /not a PNG, JPEG or WebP/ },
      { what: 'a PNG whose header is cut short', logo: { bytes: TRUNCATED_PNG, type: 'image/png', filename: 'logo.png' }, status: 400, code: 'brand.logo_invalid', says: /damaged or cut short/ },
      { what: 'a logo over 256 KB', logo: { bytes: OVERSIZED_PNG, type: 'image/png', filename: 'logo.png' }, status: 413, code: 'brand.logo_too_large', says: /larger than 256 KB/ },
    ];
    for (const refusal of refusals) {
      it(`refuses ${refusal.what} with ${refusal.code}`, async () => {
        const before = await server.services.brand.current();
        const audits = (await brandAudits()).length;
        const response = await save({ name: 'Should Not Stick' }, refusal.logo);
        assert.equal(response.status, refusal.status);
        assert.equal(codeOf(response), refusal.code);
        assert.match(response.text, refusal.says);
        const after = await server.services.brand.current();
        assert.equal(after.version, before.version, 'nothing stored');
        assert.equal(after.name, before.name);
        assert.equal((await brandAudits()).length, audits, 'nothing audited');
      });
    }

    it('refuses a colour white text cannot be read on, giving the ratio and a darker shade', async () => {
      const before = await server.services.brand.current();
      const response = await save({ color: '#4fa3e0' });
      assert.equal(response.status, 400);
      assert.equal(codeOf(response), 'brand.color_contrast_too_low');
      assert.match(response.text, /contrast of 2\.74:1; at least 4\.5:1 is needed/);
      assert.match(response.text, /Try a darker shade, such as #[0-9a-f]{6}/);
      assert.match(response.text, /value="#4fa3e0"/, 'the form keeps what was typed');
      assert.equal((await server.services.brand.current()).version, before.version);
    });

    it('refuses malformed multipart bodies with request.invalid, never a 5xx', async () => {
      const before = await server.services.brand.current();
      const csrf = await admin.csrfFrom('/admin/brand');
      const part = (name: string, value: string) => `--XX\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      for (const [contentType, body] of [
        ['multipart/form-data; boundary=XX', `${part('_csrf', csrf)}--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\nCut sh`],
        ['multipart/form-data; boundary=XX', 'no parts at all'],
        ['multipart/form-data', 'no boundary'],
        ['multipart/form-data; boundary=XX', `${part('_csrf', csrf)}${part('__proto__', 'x')}--XX--\r\n`],
      ] as const) {
        const response = await admin.request('POST', '/admin/brand', { body, headers: { 'content-type': contentType } });
        assert.equal(response.status, 400, body);
        assert.equal(codeOf(response), 'request.invalid');
      }
      assert.equal((await server.services.brand.current()).version, before.version);
    });

    it('refuses a colour that is not 6-digit hex, and a name over 80 characters', async () => {
      assert.equal(codeOf(await save({ color: 'red' })), 'request.invalid');
      assert.equal(codeOf(await save({ name: 'x'.repeat(81) })), 'request.invalid');
    });
  });

  describe('who may change it', () => {
    it('refuses a plain agent before reading the upload', async () => {
      const bob = server.client();
      await bob.signIn('bob@example.com', PASSWORD, 'agents');
      const form = new FormData();
      form.append('_csrf', await bob.csrfFrom('/agent'));
      form.append('name', 'Bob Was Here');
      form.append('logo', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'logo.png');
      const response = await bob.postMultipart('/admin/brand', form);
      assert.equal(response.status, 403);
      assert.equal(codeOf(response), 'auth.forbidden');
      assert.notEqual((await server.services.brand.current()).name, 'Bob Was Here');
    });

    it('sends an anonymous visitor to the agent sign-in', async () => {
      const form = new FormData();
      form.append('name', 'Anonymous');
      const response = await server.client().postMultipart('/admin/brand', form);
      assert.equal(response.status, 302);
      assert.match(response.location ?? '', /^\/agent\/login\?return_to=/);
    });

    it('refuses a save or a preview without the token, with a forged one or another browser\'s, storing nothing', async () => {
      const foreign = await server.client().csrfFrom('/login');
      const before = await server.services.brand.current();
      for (const path of ['/admin/brand', '/admin/brand/preview']) {
        for (const token of [undefined, 'forged', foreign]) {
          const form = new FormData();
          if (token) form.append('_csrf', token);
          form.append('name', 'Forged');
          form.append('logo', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'logo.png');
          const response = await admin.postMultipart(path, form);
          assert.equal(response.status, 403, `${path} ${token}`);
          assert.equal(codeOf(response), 'request.csrf_invalid');
        }
      }
      assert.equal((await server.services.brand.current()).version, before.version);
    });
  });

  it('escapes the sign-in text: it is plain text', async () => {
    // As a browser sends the form when no file was chosen: an empty file part, which keeps the logo.
    const logoBefore = (await server.services.brand.current()).logo;
    assert.ok(logoBefore);
    assert.equal((await save({ signInText: '<script>alert(1)</script> & <b>bold</b>' }, { bytes: Buffer.alloc(0), type: 'application/octet-stream', filename: '' })).status, 303);
    assert.deepEqual((await server.services.brand.current()).logo?.bytes, logoBefore.bytes, 'an empty file input keeps the logo');
    const login = await server.client().get('/login');
    assert.match(login.text, /<p class="sign-in-text">&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &lt;b&gt;bold&lt;\/b&gt;<\/p>/);
  });

  it('previews unsaved values on the sign-in page without storing them, and saves them from the preview', async () => {
    const before = await server.services.brand.current();
    const audits = (await brandAudits()).length;
    const preview = await admin.postMultipart('/admin/brand/preview', await brandForm(admin, { name: 'Preview Co', signInText: 'Preview text', color: '#7a1fa2' }, { bytes: PNG, type: 'image/png', filename: 'p.png' }));
    assert.equal(preview.status, 200);
    assert.match(preview.text, /Preview, not saved/);
    assert.match(preview.text, /<span>Preview Co<\/span>/);
    assert.match(preview.text, /<p class="sign-in-text">Preview text<\/p>/);
    assert.match(preview.text, /<img class="logo" src="data:image\/png;base64,/);
    assert.match(preview.text, /<link rel="stylesheet" href="\/admin\/brand\/preview.css\?color=7a1fa2">/);
    assert.equal((await server.services.brand.current()).version, before.version, 'nothing stored');
    assert.equal((await brandAudits()).length, audits, 'nothing audited');
    assert.match((await admin.get('/admin/brand/preview.css?color=7a1fa2')).text, /--accent: #7a1fa2;/);
    assert.equal((await server.client().get('/admin/brand/preview.css?color=7a1fa2')).status, 302, 'admins only');
    assert.equal((await admin.get('/admin/brand/preview')).status, 303, 'a reload goes back to the form');

    // Save in the preview's bar carries the values, the logo as base64, back.
    const bar = /<form class="preview-bar"[\s\S]*?<\/form>/.exec(preview.text)![0];
    const form = new FormData();
    for (const [, name, value] of bar.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(name!, value!.replace(/&amp;/g, '&'));
    const saved = await admin.postMultipart('/admin/brand', form);
    assert.equal(saved.status, 303);
    const brand = await server.services.brand.current();
    assert.equal(brand.name, 'Preview Co');
    assert.equal(brand.color, '#7a1fa2');
    assert.deepEqual(Buffer.from(brand.logo!.bytes), PNG);
  });

  it('removes the logo after a confirmation, audited', async () => {
    const confirm = await admin.get('/admin/brand/logo/remove');
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Remove the logo\?/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    assert.equal((await admin.postForm('/admin/brand/logo/remove', { _csrf: csrf })).location, '/admin/brand/logo/remove', 'no change without confirm=yes');
    assert.ok((await server.services.brand.current()).logo);
    const removed = await admin.postForm('/admin/brand/logo/remove', { _csrf: csrf, confirm: 'yes' });
    assert.equal(removed.status, 303);
    assert.equal((await server.services.brand.current()).logo, null);
    assert.equal((await brandAudits())[0]?.details.logo, 'removed');
    assert.equal((await server.client().get('/brand/logo')).status, 404);
    assert.doesNotMatch((await server.client().get('/login')).text, /class="logo"/);
  });

  it('puts a field back to its default when it is emptied', async () => {
    assert.equal((await save({ name: '', signInText: '', color: '' })).status, 303);
    const brand = await server.services.brand.current();
    assert.deepEqual([brand.name, brand.signInText, brand.color], [null, null, null]);
    assert.deepEqual([brandNameFor(brand, 'users'), brandNameFor(brand, 'agents')], ['Help Center', 'Agent console'], 'the names emails use by default');
    assert.match((await server.client().get('/login')).text, /<span>Help Center<\/span>/);
  });
});

// Two nodes on one database: a brand saved on one is drawn by the other within a second
// (each node asks only for the row's version, at most once per 900 ms, brief-cache.ts).
describe('brand on two nodes', () => {
  let database: Database;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    database = await freshDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  it('shows on B a brand saved on A', async () => {
    assert.match((await b.client().get('/login')).text, /<span>Help Center<\/span>/, 'B has read (and cached) the default');
    await a.services.brand.update({ name: 'Two Node Co', color: '#0b6e4f', logo: PNG }, { type: 'cli' });
    await sleep(1000);
    const login = await b.client().get('/login');
    assert.match(login.text, /<span>Two Node Co<\/span>/);
    const { version } = await b.services.brand.current();
    assert.match((await b.client().get(`/brand.css?v=${version}`)).text, /--accent: #0b6e4f;/);
    assert.equal((await fetch(`${b.url}/brand/logo?v=${version}`)).headers.get('content-type'), 'image/png');
  });
});
