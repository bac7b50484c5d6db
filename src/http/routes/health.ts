import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';

export function registerHealthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  // Alive: the process answers. Ready: it can reach the database, so a load balancer
  // takes a node out of rotation while its database is away.
  app.get('/health/alive', async () => ({ status: 'alive' }));
  app.get('/health/ready', async (_request, reply) => {
    try {
      await ctx.services.db.query('SELECT 1');
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', error: { code: 'service.unavailable', message: 'The database is not reachable.' } });
    }
  });
}
