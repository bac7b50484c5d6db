import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type * as samlify from 'samlify';
import type { AuthApp } from '../../src/core/apps.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { setsSessionCookie } from '../helpers/attacks.ts';
import { accountCounts } from '../helpers/counts.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { failureOf, installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

// Property tests: random and mutated inputs at the parsers that face the internet. Every answer
// is below 500 and carries no session cookie, and no person, email, identity or session appears.
// Fixed seeds make a failure reproducible (fast-check prints the counterexample and its path);
// run counts are modest so the suite stays fast. FUZZ_RUNS overrides them for a longer hunt.
const SEED = 9009;
const runs = (n: number) => Number(process.env.FUZZ_RUNS ?? n);
const FORM = 'application/x-www-form-urlencoded';
const CONTENT_TYPES = [FORM, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', `${FORM}; charset=utf-16`, ''];
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** One mutation of a string: flip, insert, delete, duplicate a slice, or truncate. */
const mutationOf = (length: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: Math.max(0, length - 1) }), char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat({ max: length }), text: fc.string({ maxLength: 40, unit: 'binary' }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat({ max: Math.max(0, length - 1) }), count: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat({ max: Math.max(0, length - 1) }), count: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: length }) }),
  );
type Mutation = { kind: 'flip'; at: number; char: string } | { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; count: number }
  | { kind: 'duplicate'; at: number; count: number } | { kind: 'truncate'; at: number };
function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = Math.min(m.at, out.length);
    if (m.kind === 'flip') out = out.slice(0, at) + m.char + out.slice(at + 1);
    else if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + m.count);
    else if (m.kind === 'duplicate') out = out.slice(0, at + m.count) + out.slice(at);
    else out = out.slice(0, at);
  }
  return out;
}

describe('fuzzing the parsers that face the internet', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let samlApp: AuthApp;
  let sp: samlify.ServiceProviderInstance;
  let jwtApp: AuthApp;
  const secret = generateJwtSharedSecret();

  before(async () => {
    server = await startTestServer();
    idp = await SamlIdp.start();
    ({ app: samlApp, sp } = await installSamlApp(server, idp, { slug: 'fuzz-saml', signResponse: false }));
    jwtApp = await server.services.apps.create({ audience: 'users', type: 'jwt', slug: 'fuzz-jwt', config: { remoteLoginUrl: 'https://www.example.com/login', sharedSecret: secret } }, { type: 'cli' });
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' });
  });
  after(async () => {
    await idp.close();
    await server.close();
  });

  /** Sends, then asserts the universal property; returns the answer. */
  async function neverAnAccount(send: () => Promise<TestResponse>, label: () => string): Promise<void> {
    const before = await accountCounts(server.services.db);
    const response = await send();
    // The failed check and its detail from the trace (a 502 names the unreachable upstream), not the page's head.
    if (response.status >= 500) assert.fail(`${response.status} for ${label()}: ${await failureOf(server, response)}`);
    assert.equal(setsSessionCookie(response), false, `a session for ${label()}`);
    assert.deepEqual(await accountCounts(server.services.db), before, `rows written for ${label()}`);
  }

  it('SAML ACS: random SAMLResponse and RelayState values', async () => {
    const value = fc.oneof(fc.string({ maxLength: 300, unit: 'binary' }), fc.string({ maxLength: 300 }).map(b64), fc.base64String({ maxLength: 400 }));
    await fc.assert(
      fc.asyncProperty(value, fc.option(fc.string({ maxLength: 100, unit: 'binary' })), async (response, relay) => {
        await neverAnAccount(() => postToAcs(server.client(), samlApp, { SAMLResponse: response, ...(relay === null ? {} : { RelayState: relay }) }), () => JSON.stringify(response));
      }),
      { numRuns: runs(150), seed: SEED },
    );
  });

  it('SAML ACS: mutations of a genuine signed response (already consumed, so a surviving signature is a replay)', async () => {
    const browser = server.client();
    const answer = await loginAtIdp(browser, samlApp, idp, sp, { nameId: 'fuzz-saml@example.com', email: 'fuzz-saml@example.com' });
    const accepted = await postToAcs(browser, samlApp, answer);
    assert.equal(accepted.status, 303, 'control: the genuine response signs in');
    const xml = Buffer.from(answer.SAMLResponse, 'base64').toString('utf8');
    await fc.assert(
      fc.asyncProperty(fc.array(mutationOf(xml.length), { minLength: 1, maxLength: 3 }), fc.boolean(), async (mutations, asBase64) => {
        const mutated = mutate(xml, mutations as Mutation[]);
        await neverAnAccount(() => postToAcs(server.client(), samlApp, { SAMLResponse: asBase64 ? b64(mutated) : mutated, RelayState: answer.RelayState }), () => JSON.stringify(mutations));
      }),
      { numRuns: runs(150), seed: SEED },
    );
  });

  it('JWT endpoint: random tokens, random JSON in the three parts, and mutations of a consumed genuine token', async () => {
    const genuine = await signToken(claimsAt(new Date(), { email: 'fuzz-jwt@example.com' }), secret, { alg: 'HS256' });
    assert.equal((await server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: genuine })).status, 303, 'control: the genuine token signs in');
    const part = fc.oneof(fc.json().map((j) => Buffer.from(j).toString('base64url')), fc.string({ maxLength: 60, unit: 'binary' }), fc.base64String({ maxLength: 60 }));
    const token = fc.oneof(
      fc.string({ maxLength: 400, unit: 'binary' }),
      fc.tuple(part, part, part).map((p) => p.join('.')),
      fc.array(mutationOf(genuine.length), { minLength: 1, maxLength: 3 }).map((m) => mutate(genuine, m as Mutation[])),
    );
    await fc.assert(
      fc.asyncProperty(token, fc.boolean(), async (jwt, viaGet) => {
        await neverAnAccount(
          () => viaGet ? server.client().get(`/sso/${jwtApp.slug}/jwt?jwt=${encodeURIComponent(jwt)}`) : server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt }),
          () => JSON.stringify(jwt),
        );
      }),
      { numRuns: runs(200), seed: SEED },
    );
  });

  for (const path of ['/login', '/agent/login', '/register']) {
    it(`${path}: random raw bodies under random content types, with a valid CSRF token`, async () => {
      const browser = server.client();
      const csrf = await browser.csrfFrom(path);
      const fields = fc.dictionary(fc.constantFrom('email', 'password', 'name', 'return_to', 'break_glass', '_csrf', '__proto__', 'constructor'), fc.string({ maxLength: 80, unit: 'binary' }), { maxKeys: 5 });
      const body = fc.oneof(
        fc.string({ maxLength: 300, unit: 'binary' }).map((raw) => `_csrf=${csrf}&${raw}`),
        fields.map((f) => new URLSearchParams({ _csrf: csrf, ...f }).toString()),
        fields.map((f) => JSON.stringify({ _csrf: csrf, ...f })),
        fc.json().map((j) => j),
      );
      await fc.assert(
        fc.asyncProperty(body, fc.constantFrom(...CONTENT_TYPES), async (raw, type) => {
          await neverAnAccount(
            () => browser.request('POST', path, { body: raw, headers: type ? { 'content-type': type } : {} }),
            () => `${type} ${JSON.stringify(raw)}`,
          );
        }),
        { numRuns: runs(120), seed: SEED },
      );
    });
  }
});
