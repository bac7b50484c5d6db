import { Agent } from 'node:http';
import { quantile, timedRequest } from './timed-request.ts';

export type LatencyResult = { requests: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; unexpected: number };

/**
 * Latency at a steady arrival rate, measured to the microsecond: a request every 1/rate
 * seconds, whether or not earlier ones have been answered (so a stall shows as the requests
 * it delayed, not as fewer requests). autocannon's rate mode reports whole milliseconds and
 * paces by its own timers; this driver is for "how long does a browser wait", not for throughput.
 */
export async function measureLatency(options: {
  url: string; headers?: Record<string, string>; perSecond: number; seconds: number; expectStatus: number;
}): Promise<LatencyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  let unexpected = 0;
  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / options.perSecond;
  const startedAt = performance.now();
  for (let i = 0; performance.now() - startedAt < options.seconds * 1000; i++) {
    pending.push(
      timedRequest(agent, options.url, options.headers, options.expectStatus).then(({ ms, ok }) => {
        latencies.push(ms);
        if (!ok) unexpected += 1;
      }),
    );
    const wait = startedAt + (i + 1) * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, p50Ms: quantile(latencies, 0.5), p90Ms: quantile(latencies, 0.9), p99Ms: quantile(latencies, 0.99),
    maxMs: quantile(latencies, 1), unexpected,
  };
}
