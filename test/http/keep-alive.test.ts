import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// A proxy in front (nginx's upstream keepalive, AWS ALB) or an HTTP client reuses an idle
// connection for up to its own idle timeout (60 s for those two). If Frontdoor closes it first,
// a request sent on it as it closes meets a TCP reset: a proxy's 502, fetch's "fetch failed".
// Node's default closes idle connections after 5 s, and Fastify's own longer setting did not
// reach our server (it has its own serverFactory): a burst on a busy machine lost requests to
// ECONNRESET (test/security/concurrency.test.ts).

type Answer = { status: number; keepAlive: string | undefined; reusedSocket: boolean };

function get(url: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(`${url}/health/alive`, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode!, keepAlive: response.headers['keep-alive']?.toString(), reusedSocket: sent.reusedSocket }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('idle keep-alive connections', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('stay open past Node\'s 5 s default, and the next request on one is answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(server.url, agent);
      assert.equal(first.status, 200);
      assert.equal(first.keepAlive, 'timeout=72', 'the idle timeout announced to clients');
      await sleep(6_000);
      const second = await get(server.url, agent);
      assert.equal(second.status, 200);
      assert.equal(second.reusedSocket, true, 'the connection was still open');
    } finally {
      agent.destroy();
    }
  });
});
