import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertRefused, refusalCode } from '../helpers/attacks.ts';
import { signedInAdmin, startTestServer, type TestClient, type TestResponse, type TestServer } from '../helpers/server.ts';

// An attacker's look at the brand (issue 18 part 6): the logo is the one file an admin uploads
// that every visitor's browser then loads from our origin, the colour is written into a
// stylesheet, the name and sign-in text into every page. What a stolen admin session, or an
// admin tricked into uploading a file, could make of them. test/http/brand.test.ts has the
// basic refusals (SVG, HTML named .png, cut short, too large, CSRF, who may change it).

const PASSWORD = 'correct horse battery';
const PNG = readFileSync(new URL('../fixtures/brand/logo.png', import.meta.url));
const XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>\'';

/** A PNG header (signature and IHDR) of these dimensions, then whatever follows. */
function pngHeader(width: number, height: number, rest = Buffer.alloc(0)): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 6, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, rest]);
}

/** A WebP VP8X header of these dimensions. */
function webpExtended(width: number, height: number): Buffer {
  const data = Buffer.alloc(40);
  data.write('RIFF', 0, 'latin1');
  data.writeUInt32LE(32, 4);
  data.write('WEBPVP8X', 8, 'latin1');
  data.writeUInt32LE(10, 16);
  data.writeUIntLE(width - 1, 24, 3);
  data.writeUIntLE(height - 1, 27, 3);
  return data;
}

describe('attacks on the brand', () => {
  let server: TestServer;
  let admin: TestClient;

  const post = async (path: string, build: (form: FormData) => void): Promise<TestResponse> => {
    const form = new FormData();
    form.append('_csrf', await admin.csrfFrom('/admin/brand'));
    build(form);
    return admin.postMultipart(path, form);
  };
  const file = (bytes: Buffer, type = 'image/png') => new Blob([new Uint8Array(bytes)], { type });
  /** Runs a refused change and asserts the brand and its audit trail did not move. */
  const refusedChangesNothing = async (response: () => Promise<TestResponse>, code: Parameters<typeof assertRefused>[1], what: string) => {
    const before = await server.services.brand.current();
    const audits = (await server.services.audit.list({ action: 'brand.updated', limit: 100 })).length;
    const answer = await response();
    assert.equal(refusalCode(answer), code, `${what}: status ${answer.status}`);
    assertRefused(answer, code);
    const after = await server.services.brand.current();
    assert.equal(after.version, before.version, `${what}: nothing stored`);
    assert.equal((await server.services.audit.list({ action: 'brand.updated', limit: 100 })).length, audits, `${what}: nothing audited`);
  };

  before(async () => {
    server = await startTestServer();
    admin = await signedInAdmin(server, PASSWORD);
  });
  after(async () => {
    await server.close();
  });

  describe('the logo', () => {
    it('refuses every non-image by its bytes, whatever the name and declared type', async () => {
      const svgs = [
        '\uFEFF<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '   \n<SVG onload="alert(1)"/>',
        '<!-- a comment first --><svg onload="alert(1)"/>',
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>',
        '<?xml version="1.0" encoding="UTF-8"?><svg><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></body></foreignObject></svg>',
      ];
      for (const svg of svgs) {
        await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('logo', file(Buffer.from(svg), 'image/png'), 'logo.png')), 'brand.logo_type_refused', svg.slice(0, 30));
      }
      const others: [string, Buffer][] = [
        ['GIF (it can carry a script comment, GIFAR)', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;<script>alert(1)</script>', 'latin1')],
        ['PDF', Buffer.from('%PDF-1.7\n1 0 obj<</JS(alert(1))>>endobj')],
        ['HTML with a space before a PNG signature', Buffer.concat([Buffer.from(' '), pngHeader(10, 10)])],
        ['a ZIP (a JAR)', Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1')],
        ['XHTML', Buffer.from('<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>')],
        ['empty after the PNG signature is cut', Buffer.from([0x89, 0x50, 0x4e])],
      ];
      for (const [what, bytes] of others) {
        await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('logo', file(bytes, 'image/png'), 'logo.png')), 'brand.logo_type_refused', what);
      }
    });

    it('refuses an image whose header claims a huge canvas (a decoder bomb), and one of zero pixels', async () => {
      for (const [what, bytes] of [
        ['PNG 100000 × 1', pngHeader(100_000, 1)],
        ['PNG 1 × 2^31', pngHeader(1, 2 ** 31)],
        ['PNG 0 × 0', pngHeader(0, 0)],
        ['WebP 16384 × 16384', webpExtended(16_384, 16_384)],
      ] as const) {
        await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('logo', file(bytes), 'logo.png')), 'brand.logo_invalid', what);
      }
    });

    it('a polyglot (a real PNG header, then HTML) is only ever served as an image nothing can run in', async () => {
      const polyglot = pngHeader(16, 16, Buffer.from('<html><body><script>fetch("/api/v1/people").then(r=>r.text()).then(alert)</script></body></html>'));
      const saved = await post('/admin/brand', (f) => f.append('logo', file(polyglot, 'text/html'), 'logo.html'));
      assert.equal(saved.status, 303);
      const { version, logo } = await server.services.brand.current();
      assert.equal(logo?.contentType, 'image/png', 'the type stored is the sniffed one, not the declared text/html');
      // As a browser opening it as a page would ask for it.
      const served = await fetch(`${server.url}/brand/logo?v=${version}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff', 'the browser may not take it for HTML');
      assert.equal(served.headers.get('content-security-policy'), "default-src 'none'; sandbox", 'opened on its own, nothing in it runs');
      assert.equal(served.headers.get('cross-origin-resource-policy'), 'same-origin', 'no other site embeds it');
      assert.equal(served.headers.get('content-disposition'), 'inline');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), polyglot);
      const head = await fetch(`${server.url}/brand/logo?v=${version}`, { method: 'HEAD' });
      assert.equal(head.headers.get('content-type'), 'image/png');
      assert.equal(head.headers.get('x-content-type-options'), 'nosniff');
    });

    it('refuses a previewed logo coming back as SVG, as too much base64, or as no base64 at all', async () => {
      await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('logoData', Buffer.from('<svg onload="alert(1)"/>').toString('base64'))), 'brand.logo_type_refused', 'SVG as logoData');
      await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('logoData', Buffer.concat([PNG, Buffer.alloc(400_000)]).toString('base64'))), 'brand.logo_too_large', 'oversized logoData');
      await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('logoData', 'data:text/html,<script>alert(1)</script>')), 'brand.logo_invalid', 'a data: URL as logoData');
    });

    it('refuses two logos in one form, and more parts than the form has, with request.invalid', async () => {
      await refusedChangesNothing(() => post('/admin/brand', (f) => {
        f.append('logo', file(PNG), 'a.png');
        f.append('logo', file(pngHeader(8, 8)), 'b.png');
      }), 'request.invalid', 'two files');
      await refusedChangesNothing(() => post('/admin/brand', (f) => {
        for (let i = 0; i < 20; i++) f.append(`field${i}`, 'x');
      }), 'request.invalid', 'twenty parts');
      await refusedChangesNothing(() => post('/admin/brand', (f) => {
        f.append('name', 'First');
        f.append('name', 'Second');
      }), 'request.invalid', 'a field twice');
    });
  });

  describe('the colour', () => {
    const injections = [
      '#0b6e4f;} body { display: none } :root {',
      '#0b6e4f; background: url(https://evil.example/beacon)',
      'url(javascript:alert(1))',
      '#0b6e4f</style><script>alert(1)</script>',
      'expression(alert(1))',
      '#0b6e4f\\;',
      'var(--x)',
      '#0b6e4',
      '#0b6e4fa',
      '#0b6e4f00',
      'rgb(11, 110, 79)',
      '#０b6e4f',
    ];

    it('refuses anything but #rrggbb, on Save, on Preview and through the colour picker; brand.css keeps its colour', async () => {
      const css = async () => (await server.client().get('/brand.css')).text;
      const cssBefore = await css();
      for (const color of injections) {
        await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('color', color)), 'request.invalid', `save ${color}`);
        await refusedChangesNothing(() => post('/admin/brand/preview', (f) => f.append('color', color)), 'request.invalid', `preview ${color}`);
        await refusedChangesNothing(() => post('/admin/brand', (f) => {
          f.append('color_picker', color);
          f.append('color_picker_shown', '#000000');
        }), 'request.invalid', `picker ${color}`);
      }
      assert.equal(await css(), cssBefore);
    });

    it("the preview's stylesheet takes only six hex digits from its address", async () => {
      for (const query of ['color=0b6e4f;}body{display:none', 'color=0b6e4f%3C/style%3E', 'color=0b6e4f&color=123456', 'color[]=0b6e4f', 'color=', 'color=%0a0b6e4f']) {
        const response = await admin.get(`/admin/brand/preview.css?${query}`);
        assertRefused(response, 'request.invalid');
        assert.doesNotMatch(response.text, /--accent/);
      }
    });

    it('a saved colour is written lower-case and alone in brand.css', async () => {
      assert.equal((await post('/admin/brand', (f) => f.append('color', '  #0B6E4F  '))).status, 303);
      const { version } = await server.services.brand.current();
      const css = (await server.client().get(`/brand.css?v=${version}`)).text;
      assert.match(css, /^:root \{ --accent: #0b6e4f; --accent-strong: #[0-9a-f]{6}; --accent-soft: #[0-9a-f]{6}; \}\n$/);
    });
  });

  describe('the name and the sign-in text', () => {
    it('refuses control characters and line breaks in the name, NUL in the sign-in text', async () => {
      for (const name of ['Acme\r\nSet-Cookie: x=1', 'Acme\u0000', 'Acme\u001b[31m', 'Acme\tCo']) {
        await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('name', name)), 'request.invalid', JSON.stringify(name));
      }
      await refusedChangesNothing(() => post('/admin/brand', (f) => f.append('signInText', 'Hello\u0000')), 'request.invalid', 'NUL in the sign-in text');
    });

    it('are escaped on every page that shows them, the title and the logo\'s alt text included', async () => {
      const saved = await post('/admin/brand', (f) => {
        f.append('name', XSS);
        f.append('signInText', XSS);
        f.append('logo', file(PNG), 'logo.png');
      });
      assert.equal(saved.status, 303);
      const pages: [TestClient, string][] = [
        [server.client(), '/'], [server.client(), '/login'], [server.client(), '/register'], [server.client(), '/password/forgot'],
        [server.client(), '/agent/login'], [server.client(), '/no/such/page'], [server.client(), '/language'], [admin, '/admin/brand'], [admin, '/agent'],
      ];
      for (const [client, path] of pages) {
        const page = await client.get(path);
        assert.ok(page.status < 500, `${path}: ${page.status}`);
        assert.doesNotMatch(page.text, /<script>alert|<img src=x/, `${path}: the brand is escaped`);
        assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), `${path}: the name is shown, escaped`);
      }
      const preview = await post('/admin/brand/preview', (f) => {
        f.append('name', XSS);
        f.append('signInText', XSS);
      });
      assert.equal(preview.status, 200);
      assert.doesNotMatch(preview.text, /<script>alert|<img src=x/, 'the preview and its bar escape the draft');
      assert.match(preview.text, /<input type="hidden" name="name" value="&quot;&gt;&lt;script&gt;/);
      await server.services.brand.update({ name: null, signInText: null, logo: null }, { type: 'cli' });
    });
  });
});
