import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const STYLESHEET = readFileSync(join(import.meta.dirname, '..', 'assets', 'frontdoor.css'), 'utf8');
// The admin console's one script (validation as you type, copy buttons); the CSP allows 'self' only.
const CONSOLE_SCRIPT = readFileSync(join(import.meta.dirname, '..', 'assets', 'console.js'), 'utf8');

export function registerAssetRoutes(app: FastifyInstance): void {
  app.get('/assets/frontdoor.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  app.get('/assets/console.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CONSOLE_SCRIPT),
  );
}
