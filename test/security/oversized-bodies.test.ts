import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { installSamlApp } from '../helpers/saml.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

// Issue 14, defects 8 and 9: a body over the limit is answered 413, and every client gets that
// answer (the connection was closed before the body was read, so a client still sending saw a
// TCP reset instead); and the trace id the 413 page shows on an SSO route is a trace an admin
// can read at /api/v1/sso-traces/:id.

type RawAnswer = { status: number; body: string } | { error: string };

/** A client that sends the whole body, as browsers and curl do, then reads the answer. */
function postRaw(url: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const req = httpRequest(new URL(path, url), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    });
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    // In pieces, as a network delivers them: the server answers while the client is still writing.
    const piece = 64 * 1024;
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + piece);
        offset += piece;
        if (!req.write(chunk)) return void req.once('drain', writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

/**
 * A client that reads the answer only once it has sent everything (a simple script, or a
 * proxy that buffers the upload): if the server closed with unread bytes, the reset arrives
 * before the answer is read and the answer is lost.
 */
function postThenRead(url: string, path: string, body: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(answer);
    };
    socket.pause();
    socket.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    socket.on('connect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body, () => {
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
          done(status ? { status, body: text } : { error: `no answer: ${text.slice(0, 80)}` });
        });
        socket.resume();
      });
    });
  });
}

/** The same with fetch (undici), which gives up on the answer when its upload is cut off. */
async function fetchRaw(url: string, path: string, body: Buffer): Promise<RawAnswer> {
  try {
    const response = await fetch(new URL(path, url), { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? String(error) };
  }
}

describe('oversized bodies: every client gets its 413, with a readable trace on SSO routes', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let apiKey: string;
  let acsPath: string;

  before(async () => {
    server = await startTestServer();
    idp = await SamlIdp.start();
    const { app } = await installSamlApp(server, idp, { slug: 'saml-big' });
    acsPath = `/sso/${app.slug}/saml/acs`;
    const admin = await server.services.people.create({ audience: 'agents', name: 'Root', email: 'root@example.com', password: 'correct horse battery', isAdmin: true });
    apiKey = (await server.services.apiKeys.create('tests', admin.id)).key;
  });
  after(async () => {
    await idp.close();
    await server.close();
  });

  for (const [path, size] of [['/login', 4 * 1024 * 1024], ['acs', 4 * 1024 * 1024]] as const) {
    it(`${path === 'acs' ? 'the SAML ACS' : path}: 24 clients sending ${size / 1024} KiB each (node:http, fetch, a raw socket) all get 413 request.too_large, none a reset`, async () => {
      const target = path === 'acs' ? acsPath : path;
      const body = Buffer.from(`SAMLResponse=${'A'.repeat(size)}`);
      const answers: RawAnswer[] = [];
      for (let i = 0; i < 8; i++) {
        answers.push(await postRaw(server.url, target, body), await fetchRaw(server.url, target, body), await postThenRead(server.url, target, body));
      }
      const failures = answers.filter((a) => 'error' in a || a.status !== 413);
      assert.deepEqual(failures, [], `${failures.length} of 24 did not get the 413`);
      for (const answer of answers) assert.match((answer as { body: string }).body, /request\.too_large/);
    });
  }

  it('the trace id on the ACS 413 page is readable at /api/v1/sso-traces/:id', async () => {
    const answer = await postRaw(server.url, acsPath, Buffer.from(`SAMLResponse=${'A'.repeat(700 * 1024)}`));
    assert.ok('status' in answer && answer.status === 413, JSON.stringify(answer).slice(0, 200));
    const traceId = /trace <code>([^<]+)<\/code>/.exec(answer.body)?.[1];
    assert.ok(traceId, 'the page shows a trace id');
    const trace = await server.client().get(`/api/v1/sso-traces/${traceId}`, { authorization: `Bearer ${apiKey}` });
    assert.equal(trace.status, 200, trace.text);
    assert.equal(trace.json.trace.errorCode, 'request.too_large');
    assert.equal(trace.json.trace.failedCheck, 'body_size');
    assert.equal(trace.json.trace.outcome, 'failure');
  });
});
