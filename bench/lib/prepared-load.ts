import { Agent } from 'node:http';
import type { LoadResult } from './load.ts';
import { cpuSecondsOf } from './processes.ts';
import { quantile, timedRequest } from './timed-request.ts';

export type PreparedRequest = { path: string; headers?: Record<string, string> };

/**
 * Sends requests prepared in advance (each a one-time sign-in answer: a state, a code) exactly
 * once each, over `connections` keep-alive connections, as fast as they are answered, and
 * measures what the server spent on them. For GET callbacks whose path and cookies differ per
 * request, which autocannon's per-request rewriting does not carry reliably.
 */
export async function runPrepared(options: {
  baseUrl: string; requests: PreparedRequest[]; connections: number; serverPid: number; expectStatus: number;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let unexpected = 0;
  let next = 0;
  const cpuBefore = cpuSecondsOf(options.serverPid);
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (next < options.requests.length) {
        const prepared = options.requests[next++]!;
        const { ms, ok } = await timedRequest(agent, `${options.baseUrl}${prepared.path}`, prepared.headers, options.expectStatus);
        latencies.push(ms);
        if (!ok) unexpected += 1;
      }
    }),
  );
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = cpuSecondsOf(options.serverPid) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: options.requests.length, perSecond: options.requests.length / seconds, perServerCpuSecond: cpu > 0 ? options.requests.length / cpu : 0,
    p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), non2xx: unexpected, errors: 0,
  };
}
