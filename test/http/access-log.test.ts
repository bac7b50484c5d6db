import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/core/services.ts';
import { buildServer } from '../../src/http/server.ts';
import { testServices } from '../helpers/services.ts';

describe('the request log', () => {
  let services: Services;
  let app: FastifyInstance;
  const lines: Record<string, any>[] = [];
  before(async () => {
    services = await testServices();
    app = await buildServer(services, { logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } } });
  });
  after(async () => {
    await app?.close();
    await services?.db.close();
  });

  it('writes one line per request, with method, path, address, status and time', async () => {
    lines.length = 0;
    const response = await app.inject({ method: 'GET', url: '/login?return_to=%2Fhelp' });
    assert.equal(response.statusCode, 200);
    const about = lines.filter((line) => line.reqId === lines.at(-1)!.reqId);
    assert.equal(about.length, 1, JSON.stringify(lines));
    assert.equal(about[0]!.msg, 'request completed');
    assert.deepEqual(about[0]!.req, { method: 'GET', url: '/login?return_to=%2Fhelp', host: 'localhost:80', remoteAddress: '127.0.0.1' });
    assert.equal(about[0]!.res.statusCode, 200);
    assert.equal(typeof about[0]!.responseTime, 'number');
  });

  it('logs a refusal with its code, and still one access line', async () => {
    lines.length = 0;
    const response = await app.inject({ method: 'GET', url: '/no-such-page' });
    assert.equal(response.statusCode, 404);
    assert.equal(lines.filter((line) => line.msg === 'request completed').length, 1);
    assert.ok(lines.some((line) => JSON.stringify(line).includes('request.not_found')), JSON.stringify(lines));
  });

  it('writes no routine line for forward-auth checks (a proxy asks on every request)', async () => {
    lines.length = 0;
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/session' })).statusCode, 401);
    assert.equal(lines.filter((line) => line.msg === 'request completed').length, 0);
  });
});
