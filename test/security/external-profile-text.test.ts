import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nameFromService } from '../../src/core/external-profile-text.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { claimsAt, signToken, traceIdOf } from '../helpers/jwt.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// A name an identity service sends is text someone typed (on their profile at the service,
// or on the website that signs JWTs for us), and it ends up in the database, the console and
// the emails that greet the person by name (issue 18's "a person's name into emails"). Found
// while attacking the emails: a tab in it refused the first sign-in with request.invalid, a
// line break went into the stored name through profile sync, and a NUL in any claim made the
// sign-in a 500 (PostgreSQL text and jsonb cannot hold U+0000). A JWT app is the vehicle; every
// external sign-in goes through the same tail (external-sign-in-completion.ts).

describe('text from an identity service', () => {
  let server: TestServer;
  const secret = generateJwtSharedSecret();
  let slug: string;
  const signIn = async (claims: Record<string, unknown>) => {
    const token = await signToken(claimsAt(server.services.clock.now(), claims), secret, { alg: 'HS256' });
    return server.client().postForm(`/sso/${slug}/jwt`, { jwt: token });
  };
  const nameOf = async (email: string) => (await server.services.db.query<{ name: string }>(
    'SELECT p.name FROM people p JOIN person_emails e ON e.person_id = p.id WHERE e.email = $1', [email]))[0]?.name;

  before(async () => {
    server = await startTestServer();
    const app = await server.services.apps.create({
      audience: 'users', type: 'jwt', slug: 'site',
      config: { remoteLoginUrl: 'https://www.example.com/login', algorithms: ['HS256'], sharedSecret: secret, syncProfile: true },
    }, { type: 'cli' });
    slug = app.slug;
  });
  after(async () => server.close());

  it('a first sign-in whose name has controls, line breaks or too many characters signs in, with the name made one clean line', async () => {
    const cases: [string, string, string][] = [
      ['tab', 'Ada\tLovelace', 'Ada Lovelace'],
      ['line breaks', 'Ada\r\n\r\nYour password expired: https://evil.example', 'Ada Your password expired: https://evil.example'],
      ['NUL', 'Ada\u0000Lovelace', 'Ada Lovelace'],
      ['NEL and separators', 'Ada\u0085\u2028Lovelace', 'Ada Lovelace'],
      ['a bidi override', 'Ada \u202eecalevoL', 'Ada ecalevoL'],
      ['300 characters', 'x'.repeat(300), 'x'.repeat(200)],
      ['only controls', '\t\u0000\n', 'only-controls'],
    ];
    for (const [index, [what, name, stored]] of cases.entries()) {
      const email = what === 'only controls' ? 'only-controls@example.com' : `p${index}@example.com`;
      const answer = await signIn({ email, name, external_id: `u${index}` });
      assert.equal(answer.status, 303, `${what}: ${answer.text.slice(0, 200)}`);
      assert.equal(await nameOf(email), stored, what);
    }
  });

  it('profile sync makes a changed name one clean line too', async () => {
    assert.equal((await signIn({ email: 'sync@example.com', name: 'Sam Sync', external_id: 'sync' })).status, 303);
    for (const [name, stored] of [['Sam\nBcc: all@example.com', 'Sam Bcc: all@example.com'], ['Sam\u0000Nul', 'Sam Nul'], ['Sam\tTab', 'Sam Tab']] as const) {
      const answer = await signIn({ email: 'sync@example.com', name, external_id: 'sync' });
      assert.equal(answer.status, 303, JSON.stringify(name));
      assert.equal(await nameOf('sync@example.com'), stored);
    }
  });

  it('a NUL in any other claim is no 5xx: the sign-in goes on and the trace shows U+FFFD', async () => {
    const answer = await signIn({ email: 'claims@example.com', name: 'Cleo', external_id: 'claims', department: 'Sales\u0000', 'odd\u0000key': ['a\u0000'] });
    assert.equal(answer.status, 303);
    const [trace] = await server.services.db.query<{ claims: Record<string, unknown> }>("SELECT claims FROM sso_traces WHERE claims->>'external_id' = 'claims'");
    assert.equal(trace!.claims.department, 'Sales\uFFFD');
    assert.deepEqual(trace!.claims['odd\uFFFDkey'], ['a\uFFFD']);
  });

  it('refuses a subject or email holding a control character with sso.token_invalid, creating nothing, traced', async () => {
    for (const claims of [{ email: 'sub@example.com', external_id: 'sub\u0000ject' }, { email: 'sub@example.com', external_id: 'sub\nject' }]) {
      const refused = await createsNothing(server.services.db, () => signIn({ name: 'Sue', ...claims }));
      assertRefused(refused, 'sso.token_invalid');
      const trace = await server.services.ssoTraces.require(traceIdOf(refused)!);
      assert.equal(trace.errorCode, 'sso.token_invalid');
    }
  });

  it('nameFromService keeps whole characters at the limit, as NameSchema counts them', () => {
    const emoji = '😀'.repeat(150); // 300 UTF-16 units
    const cut = nameFromService(emoji)!;
    assert.equal(cut.length, 200);
    assert.equal(cut, '😀'.repeat(100));
    assert.equal(nameFromService(`${'x'.repeat(199)}😀`), 'x'.repeat(199), 'never half a surrogate pair');
    assert.equal(nameFromService(undefined), undefined);
    assert.equal(nameFromService('  \u0000 '), undefined);
  });
});
