import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import type { Services } from '../../src/core/services.ts';
import { testServices } from '../helpers/services.ts';

// A SAML answer uses up two single-use things in one statement: its assertion id (the replay
// cache) and the request it answers (the transaction). What must hold: a replayed id takes
// nothing; a first-seen id takes the transaction once; an id seen first with a gone
// transaction is still used up.
describe('SsoTransactionStore.takeOnFirstUse', () => {
  let services: Services;
  let app: AuthApp;
  const keepUntil = () => new Date(Date.now() + 60_000);
  const save = (state: string) =>
    services.ssoTransactions.save(state, {
      appId: app.id, audience: 'users', browserHash: Buffer.alloc(0), returnTo: '/', traceId: `trace-${state}`, secrets: { requestId: state },
    });

  before(async () => {
    services = await testServices();
    app = await services.apps.create(
      { audience: 'users', type: 'jwt', slug: 'single-use', config: { remoteLoginUrl: 'https://example.com/sso', sharedSecret: 'x'.repeat(48) } } as never, { type: 'system' } as never,
    );
  });
  after(async () => {
    await services.db.close();
  });

  it('takes the transaction with a first-seen id, once', async () => {
    await save('request-1');
    const first = await services.ssoTransactions.takeOnFirstUse('request-1', services.replay.firstUseStatement(app.id, 'assertion-1', keepUntil()));
    assert.equal(first.firstUse, true);
    assert.equal(first.transaction?.traceId, 'trace-request-1');
    assert.deepEqual(first.transaction?.secrets, { requestId: 'request-1' });
    const again = await services.ssoTransactions.takeOnFirstUse('request-1', services.replay.firstUseStatement(app.id, 'assertion-2', keepUntil()));
    assert.deepEqual(again, { firstUse: true, transaction: undefined }, 'the transaction is gone; the new id is used up all the same');
    assert.equal(await services.replay.firstUse(app.id, 'assertion-2', keepUntil()), false);
  });

  it('takes nothing with a replayed id: the transaction stays for its real answer', async () => {
    await save('request-2');
    const replayed = await services.ssoTransactions.takeOnFirstUse('request-2', services.replay.firstUseStatement(app.id, 'assertion-1', keepUntil()));
    assert.deepEqual(replayed, { firstUse: false, transaction: undefined });
    assert.equal((await services.ssoTransactions.take('request-2'))?.traceId, 'trace-request-2');
  });
});
