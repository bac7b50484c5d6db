import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Audience } from '../../core/audience.ts';
import { recordAdminChange } from '../../core/audit.ts';
import { parseInput } from '../../core/validation.ts';
import type { HttpContext } from '../context.ts';
import { requireAdmin, type AdminPrincipal } from './admin-auth.ts';

/**
 * One admin API endpoint, declared once: the route, its input validation (zod) and its
 * entry in the OpenAPI document all come from this object, so they cannot drift apart.
 */
export type AdminRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify path, e.g. /api/v1/apps/:id */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Status on success: 200 by default, 201 for creations, 204 for deletions. */
  status?: 200 | 201 | 204;
  /**
   * Audit action recorded on success (`person.updated`, ...), with the admin as actor and the
   * `:id` in the path, or the id of the object answered, as target. Routes whose core method
   * already audits (apps, registration settings) leave it out.
   */
  audit?: { action: string; targetType: string; audience?: Audience };
  handler(input: {
    params: z.infer<P>;
    query: z.infer<Q>;
    body: z.infer<B>;
    principal: AdminPrincipal;
    request: FastifyRequest;
    reply: FastifyReply;
  }): Promise<unknown>;
};

export type RouteDoc = { method: string; path: string; summary: string; tag: string; status: number; params?: z.ZodType; query?: z.ZodType; body?: z.ZodType };

export class AdminApi {
  readonly docs: RouteDoc[] = [];
  readonly #app: FastifyInstance;
  readonly #ctx: HttpContext;

  constructor(app: FastifyInstance, ctx: HttpContext) {
    this.#app = app;
    this.#ctx = ctx;
  }

  route<P extends z.ZodType = z.ZodType<Record<string, never>>, Q extends z.ZodType = z.ZodType<Record<string, never>>, B extends z.ZodType = z.ZodType<undefined>>(
    route: AdminRoute<P, Q, B>,
  ): void {
    const status = route.status ?? 200;
    this.docs.push({
      method: route.method, path: route.path, summary: route.summary, tag: route.tag, status,
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.body ? { body: route.body } : {}),
    });
    this.#app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const principal = await requireAdmin(this.#ctx, request);
        const result = await route.handler({
          params: route.params ? parseInput(route.params, request.params) : ({} as z.infer<P>),
          query: route.query ? parseInput(route.query, request.query) : ({} as z.infer<Q>),
          body: route.body ? parseInput(route.body, request.body ?? {}) : (undefined as z.infer<B>),
          principal,
          request,
          reply,
        });
        if (route.audit) await this.#recordSuccess(route.audit, principal, request, request.params, result);
        reply.code(status).header('cache-control', 'no-store');
        return status === 204 ? reply.send() : reply.send(result);
      },
    });
  }

  async #recordSuccess(audit: NonNullable<AdminRoute<z.ZodType, z.ZodType, z.ZodType>['audit']>, principal: AdminPrincipal, request: FastifyRequest, params: unknown, result: unknown) {
    const targetId = (params as { id?: string }).id ?? idOfAnswer(result);
    await recordAdminChange(this.#ctx.services.audit, audit, principal.actor, request.ip, targetId);
  }
}

/** The id of the one object an answer like `{ person: { id } }` carries. */
function idOfAnswer(result: unknown): string | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const values = Object.values(result);
  const only = values.length === 1 ? values[0] : undefined;
  return only && typeof only === 'object' && typeof (only as { id?: unknown }).id === 'string' ? (only as { id: string }).id : undefined;
}
