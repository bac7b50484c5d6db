import { Agent, request } from 'node:http';

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
  const once = () =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const sent = request(options.url, { agent, headers: options.headers }, (response) => {
        if (response.statusCode !== options.expectStatus) unexpected += 1;
        response.resume();
        response.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      });
      sent.on('error', () => {
        unexpected += 1;
        resolve();
      });
      sent.end();
    });
  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / options.perSecond;
  const startedAt = performance.now();
  for (let i = 0; performance.now() - startedAt < options.seconds * 1000; i++) {
    pending.push(once());
    const wait = startedAt + (i + 1) * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1), unexpected };
}
