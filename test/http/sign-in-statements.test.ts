import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Database, Queryable } from '../../src/storage/database.ts';
import { freshDatabase } from '../helpers/database.ts';
import { failureOf, installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

// What a sign-in costs the database is mostly how many statements it sends (issue 20, part 4;
// docs/BENCHMARKS.md, "JWT sign-in cost"): each is a round trip, a parse and an execution on
// both sides. A returning person's JWT sign-in and SAML ACS are counted here, so a change that
// adds a statement to them fails, whatever the machine's speed (a count, not a time).

type Sent = { text: string; inTransaction: boolean };

/** The database, recording every statement sent through it (inside transactions too). */
function recording(db: Database, sent: Sent[]): Database {
  const record = (q: Queryable, inTransaction: boolean): Queryable => ({
    query: (text, params) => {
      sent.push({ text, inTransaction });
      return q.query(text, params);
    },
  });
  return Object.assign(Object.create(db) as Database, {
    ...record(db, false),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) => db.transaction((tx) => work(record(tx, true))),
  });
}

describe('statements per sign-in of a returning person', () => {
  let db: Database;
  let server: TestServer;
  let idp: SamlIdp;
  const sent: Sent[] = [];
  const countWhile = async (work: () => Promise<void>) => {
    sent.length = 0;
    await work();
    return sent.map((s) => `${s.inTransaction ? 'tx ' : ''}${s.text.replace(/\s+/g, ' ').slice(0, 60)}`);
  };
  // Settings every request reads (the app, its secrets, registration, session policy, brand,
  // languages) are kept for 900 ms per node (brief-cache.ts): a sign-in that happens to come
  // when one of them expires also reloads it, on a busy machine more often. Those reloads are
  // per node and second, not per sign-in: the sign-in's own count is the fewest of a few tries.
  const fewestOf = async (tries: number, count: () => Promise<string[]>) => {
    let fewest: string[] | undefined;
    for (let i = 0; i < tries; i++) {
      const statements = await count();
      if (!fewest || statements.length < fewest.length) fewest = statements;
    }
    return fewest!;
  };

  before(async () => {
    db = await freshDatabase();
    server = await startTestServer({ database: recording(db, sent) });
    idp = await SamlIdp.start();
  });
  after(async () => {
    await idp?.close();
    await server?.close();
    await db?.close();
  });

  it('JWT: two statements (the token used up with the person found, then session, trace and audit in one)', async () => {
    const secret = 'k'.repeat(48);
    await server.services.apps.create({ audience: 'users', type: 'jwt', slug: 'count-jwt', config: { remoteLoginUrl: 'https://www.example.com/sso', sharedSecret: secret } } as never, { type: 'cli' });
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signIn = async () => {
      const header = b64({ alg: 'HS256', typ: 'JWT' });
      const payload = b64({ iat: Math.floor(Date.now() / 1000), jti: randomUUID(), email: 'ada@example.com', name: 'Ada Lovelace', external_id: 'ada' });
      const token = `${header}.${payload}.${createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')}`;
      const response = await server.client().postForm('/sso/count-jwt/jwt', { jwt: token });
      assert.equal(response.status, 303, response.text);
    };
    await signIn(); // creates the person; the app's settings are cached from here on
    await signIn();
    const statements = await fewestOf(4, () => countWhile(signIn));
    assert.equal(statements.length, 2, statements.join('\n'));
    assert.ok(statements.every((s) => !s.startsWith('tx ')), `no transaction: ${statements.join('\n')}`);
  });

  it('SAML ACS: three statements (the request taken with the assertion id used up, the person found, then session, trace and audit in one)', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'count-saml', signResponse: false });
    const user = { nameId: 'grace@example.com', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' };
    const signIn = async () => {
      const browser = server.client();
      const answer = await loginAtIdp(browser, app, idp, sp, user, {}, '/');
      const statements = await countWhile(async () => {
        const done = await postToAcs(browser, app, answer);
        assert.equal(done.status, 303, await failureOf(server, done));
      });
      return statements;
    };
    await signIn();
    await signIn();
    const statements = await fewestOf(4, signIn);
    // One more than JWT: the in-flight request must be taken (and checked against the answer)
    // before the person is looked up, so that a refused answer touches no identity.
    assert.equal(statements.length, 3, statements.join('\n'));
    assert.ok(statements.every((s) => !s.startsWith('tx ')), `no transaction: ${statements.join('\n')}`);
  });
});
