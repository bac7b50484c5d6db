import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { after, before, describe, it } from 'node:test';
import { currentPage, registerPageContext } from '../../src/http/page-context.ts';

// The page context (language, brand) must reach whatever draws the page: a handler after a form
// body was parsed and after awaits, the error handler of a handler that throws, the not-found
// handler. A lost context would draw a German reader's page in English without any error.

describe('page context', () => {
  const app = Fastify();
  before(async () => {
    await app.register(formbody);
    registerPageContext(app, async (request) => ({ language: request.headers['x-lang'] === 'de' ? 'de' : 'fr' }));
    app.setErrorHandler(async (_error, _request, reply) => reply.code(500).send({ language: currentPage().language }));
    app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ language: currentPage().language }));
    app.post('/form', async () => {
      await sleep(5);
      await new Promise((resolve) => setImmediate(resolve));
      return { language: currentPage().language };
    });
    app.get('/throws', async () => {
      await sleep(1);
      throw new Error('boom');
    });
    app.get('/api/v1/thing', async () => ({ language: currentPage().language }));
    await app.ready();
  });
  after(() => app.close());

  it('reaches a handler after the form body is parsed and after awaits', async () => {
    const answer = await app.inject({ method: 'POST', url: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-lang': 'de' }, payload: 'a=1' });
    assert.deepEqual(answer.json(), { language: 'de' });
  });

  it('reaches the error handler of a handler that throws', async () => {
    const answer = await app.inject({ method: 'GET', url: '/throws', headers: { 'x-lang': 'de' } });
    assert.equal(answer.statusCode, 500);
    assert.deepEqual(answer.json(), { language: 'de' });
  });

  it('reaches the not-found handler', async () => {
    const answer = await app.inject({ method: 'GET', url: '/nothing-here', headers: { 'x-lang': 'de' } });
    assert.equal(answer.statusCode, 404);
    assert.deepEqual(answer.json(), { language: 'de' });
  });

  it('keeps requests apart under concurrency', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => app.inject({ method: 'POST', url: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-lang': i % 2 ? 'de' : 'other' }, payload: 'a=1' })));
    answers.forEach((answer, i) => assert.equal(answer.json().language, i % 2 ? 'de' : 'fr'));
  });

  it('is not resolved for machine paths, which get the default', async () => {
    const answer = await app.inject({ method: 'GET', url: '/api/v1/thing', headers: { 'x-lang': 'de' } });
    assert.deepEqual(answer.json(), { language: 'en' });
  });
});
