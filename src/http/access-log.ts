import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per answered request, with what Fastify's two default lines ("incoming
 * request", "request completed") held together: method, redacted URL, address, status and
 * time. Each line is a write to stdout, and on the sign-in paths the second line cost about a
 * tenth of the server's CPU. Routes with a quieter log level (forward auth: warn) log no
 * routine line; errors are still logged with the request they belong to.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
