import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, createsNothing, refusalCode, setsSessionCookie } from '../helpers/attacks.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const csrfOf = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
const withoutTokens = (text: string) => text.replace(/value="[^"]*"/g, 'value=""');

// Password reset: "forgot" must not tell who has an account, the link is single use even
// under a crowd, works for its own audience only, and never signs anyone in.
describe('password reset attacks', () => {
  let server: TestServer;
  let mailbox: Mailbox;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    const s = server.services;
    await s.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
    await s.people.create({ audience: 'users', name: 'Rex', email: 'rex@example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  async function forgot(email: string, base = '') {
    const browser = server.client();
    const csrf = await browser.csrfFrom(`${base}/password/forgot`);
    return browser.postForm(`${base}/password/forgot`, { _csrf: csrf, email });
  }
  async function resetToken(email: string, base = ''): Promise<string> {
    await forgot(email, base);
    const link = linkIn(await mailbox.next(email, /Reset/), `${base}/password/reset`);
    return new URL(link, server.url).searchParams.get('token')!;
  }

  it('CSRF: forgot and reset refuse a missing or foreign token, sending no mail and changing nothing', async () => {
    const foreign = await server.client().csrfFrom('/login');
    const token = await resetToken('rex@example.com');
    const sentBefore = mailbox.messages.length;
    for (const base of ['', '/agent']) {
      for (const csrf of [undefined, foreign]) {
        const browser = server.client();
        await browser.get(`${base}/password/forgot`);
        const extra: Record<string, string> = csrf ? { _csrf: csrf } : {};
        assertRefused(await browser.postForm(`${base}/password/forgot`, { email: 'ada@example.com', ...extra }), 'request.csrf_invalid');
        assertRefused(await createsNothing(server.services.db, () => browser.postForm(`${base}/password/reset`, { token, password: 'a brand new passphrase', ...extra })), 'request.csrf_invalid');
      }
    }
    await server.services.mail.idle();
    assert.equal(mailbox.messages.length, sentBefore, 'no mail sent');
    assert.equal((await server.client().signIn('rex@example.com', PASSWORD)).status, 303, 'password unchanged');
  });

  it('no enumeration: a known, an unknown and a disabled email get the same status, headers and page, at both doors', async () => {
    const off = await server.services.people.create({ audience: 'users', name: 'Off', email: 'off@example.com', password: PASSWORD });
    await server.services.people.update(off.id, 'users', { disabled: true });
    for (const [base, known] of [['', 'ann@example.com'], ['/agent', 'ada@example.com']] as const) {
      const answers = [await forgot(known, base), await forgot('nobody@example.com', base), await forgot('off@example.com', base), await forgot('ann@example.com', base === '' ? '/agent' : '')];
      for (const answer of answers) assert.equal(answer.status, 200);
      const pages = answers.map((a) => withoutTokens(a.text));
      assert.equal(new Set(pages.slice(0, 3)).size, 1, `${base}: the same page for known, unknown and disabled`);
      assert.deepEqual([...answers[0]!.headers.keys()].sort(), [...answers[1]!.headers.keys()].sort());
    }
    await server.services.mail.idle();
    assert.equal(mailbox.to('nobody@example.com').length + mailbox.to('off@example.com').length, 0);
    const audit = await server.services.audit.list({ action: 'password.reset_requested', limit: 50 });
    assert.ok(audit.some((a) => a.details.known === false), 'unknown requests are audited too');
  });

  it('a tampered, truncated, foreign-audience or malformed token is refused with its code, changing nothing', async () => {
    const token = await resetToken('ann@example.com');
    const browser = server.client();
    const csrf = await browser.csrfFrom('/password/forgot');
    const cases: [string, string][] = [
      [`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'account.link_invalid'],
      [token.slice(0, 10), 'account.link_invalid'],
      ['', 'account.link_invalid'],
      ['%E0%A4%A', 'account.link_invalid'],
      ['x'.repeat(5000), 'account.link_invalid'],
    ];
    for (const [bad, code] of cases) {
      assertRefused(await createsNothing(server.services.db, () => browser.postForm('/password/reset', { _csrf: csrf, token: bad, password: 'a brand new passphrase' })), code as never);
      assertRefused(await browser.get(`/password/reset?token=${encodeURIComponent(bad)}`), code as never);
    }
    // The Users link at the Agents door.
    const agentForm = await browser.get(`/agent/password/reset?token=${encodeURIComponent(token)}`);
    assertRefused(agentForm, 'account.link_invalid');
    const agentPost = await browser.postForm('/agent/password/reset', { _csrf: csrf, token, password: 'a brand new passphrase' });
    assertRefused(agentPost, 'account.link_invalid');
    assert.equal((await server.client().signIn('ann@example.com', PASSWORD)).status, 303, 'password unchanged');
    const failures = await server.services.audit.list({ action: 'password.reset', outcome: 'failure', limit: 50 });
    assert.ok(failures.some((a) => a.reason === 'account.link_invalid'), 'refused resets are audited');
  });

  it('50 browsers use one reset link at once: exactly one sets the password, nobody is signed in', async () => {
    const token = await resetToken('ann@example.com');
    const browsers = Array.from({ length: 50 }, () => server.client());
    const tokens = await Promise.all(browsers.map((b) => b.csrfFrom('/password/forgot')));
    const results = await Promise.all(
      browsers.map((b, i) => b.postForm('/password/reset', { _csrf: tokens[i]!, token, password: `new passphrase number ${i}` })),
    );
    const winners = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
    assert.equal(winners.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
    for (const r of results) {
      assert.equal(setsSessionCookie(r), false);
      if (r.status !== 200) assert.equal(refusalCode(r), 'account.link_used');
    }
    assert.equal((await server.client().signIn('ann@example.com', `new passphrase number ${winners[0]}`)).status, 303, 'the winner\'s password is the one stored');
  });
});
