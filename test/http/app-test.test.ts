import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SIGN_IN_PROTOCOLS } from '../../src/protocols/registry.ts';
import { accountCounts } from '../helpers/counts.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const cli = { type: 'cli' } as const;

describe('the Test button of every sign-in protocol', () => {
  let server: TestServer;
  let key: string;

  before(async () => {
    server = await startTestServer();
    ({ key } = await server.services.apiKeys.create('app-test', null));
  });
  after(async () => {
    await server.close();
  });

  const test = async (slug: string) => {
    const response = await server.client().sendJson('POST', `/api/v1/apps/${slug}/test`, undefined, { authorization: `Bearer ${key}` });
    assert.equal(response.status, 200, response.text);
    const checks = response.json.checks as { name: string; ok: boolean; detail: string }[];
    return { ok: response.json.ok as boolean, failed: checks.filter((c) => !c.ok).map((c) => c.name), detail: (name: string) => checks.find((c) => c.name === name)?.detail ?? '' };
  };

  it('every protocol in the registry has a Test (no "not available" answer for any preset)', () => {
    const missing = SIGN_IN_PROTOCOLS.filter((protocol) => typeof protocol.diagnose !== 'function').map((protocol) => protocol.name);
    assert.deepEqual(missing, []);
  });

  it('JWT with a shared secret: the algorithm and the key pass, nobody is signed in', async () => {
    await server.services.apps.create({ audience: 'users', type: 'jwt', slug: 'jwt-hs', config: { remoteLoginUrl: 'https://www.example.com/sso', algorithms: ['HS256'], sharedSecret: 's'.repeat(40) } }, cli);
    const before = await accountCounts(server.services.db);
    const result = await test('jwt-hs');
    assert.deepEqual(result.failed, []);
    assert.equal(result.ok, true);
    assert.match(result.detail('algorithms'), /HS256/);
    assert.match(result.detail('key'), /shared secret/);
    assert.deepEqual(await accountCounts(server.services.db), before, 'nobody signed in or was created');
  });

  it('JWT with a JWKS URL: one that answers with keys passes, one that answers nothing fails the jwks check', async () => {
    const jwks = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(request.url === '/empty' ? '{"keys":[]}' : '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}');
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    try {
      const config = { remoteLoginUrl: 'https://www.example.com/sso', algorithms: ['EdDSA'] };
      await server.services.apps.create({ audience: 'users', type: 'jwt', slug: 'jwt-jwks', config: { ...config, jwksUrl: `${base}/jwks` } }, cli);
      await server.services.apps.create({ audience: 'users', type: 'jwt', slug: 'jwt-jwks-empty', config: { ...config, jwksUrl: `${base}/empty` } }, cli);
      const good = await test('jwt-jwks');
      assert.deepEqual(good.failed, []);
      assert.match(good.detail('jwks'), /1 key/);
      const empty = await test('jwt-jwks-empty');
      assert.deepEqual(empty.failed, ['jwks']);
      assert.match(empty.detail('jwks'), /without keys/);
    } finally {
      await new Promise((resolve) => jwks.close(resolve));
    }
    // Nothing listens on the closed server's port any more: no answer is a failed check, named.
    const gone = await server.services.apps.create({ audience: 'users', type: 'jwt', slug: 'jwt-jwks-gone', config: { remoteLoginUrl: 'https://www.example.com/sso', algorithms: ['EdDSA'], jwksUrl: `${base}/jwks` } }, cli);
    const result = await test(gone.slug);
    assert.equal(result.ok, false);
    assert.deepEqual(result.failed, ['jwks']);
  });
});
