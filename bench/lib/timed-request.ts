import { request, type Agent } from 'node:http';

/** One GET over a keep-alive agent, timed to the microsecond: its latency, or why it failed. */
export function timedRequest(agent: Agent, url: string, headers: Record<string, string> | undefined, expectStatus: number): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const sent = request(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: response.statusCode === expectStatus }));
    });
    sent.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: false }));
    sent.end();
  });
}

/** The q-quantile (0 to 1) of latencies sorted in ascending order. */
export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
