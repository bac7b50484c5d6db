import autocannon from 'autocannon';
import { cpuSecondsOf } from './processes.ts';

export type LoadResult = {
  requests: number;
  perSecond: number;
  /** Requests per CPU-second the server itself spent: throughput independent of idle cores. */
  perServerCpuSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
};

export type LoadOptions = {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** How long to run; or, with `amount`, at most how long (a fixed number of requests, then stop). */
  seconds: number;
  /** Exactly this many requests (one-time answers prepared in advance), instead of a duration. */
  amount?: number;
  /** The server process whose CPU time is measured. */
  serverPid: number;
  /** A fixed arrival rate (requests per second, all connections together) instead of "as fast as answered". */
  overallRate?: number;
  /** Statuses that count as success (a sign-in answers 303). */
  expectStatus?: number;
  /** Changes each request before it is sent (a fresh one-time token per request). */
  setupRequest?: (request: { body?: string | Buffer; path?: string; headers?: unknown; [key: string]: unknown }) => { body?: string | Buffer; path?: string; [key: string]: unknown };
};

/** Drives load with autocannon from this process and measures what the server spent on it. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const cpuBefore = cpuSecondsOf(options.serverPid);
  let unexpected = 0;
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    ...(options.setupRequest ? { requests: [{ setupRequest: options.setupRequest as never }] } : {}),
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    setupClient: options.expectStatus
      ? (client) => {
          client.on('response', (statusCode: number) => {
            if (statusCode !== options.expectStatus) unexpected += 1;
          });
        }
      : undefined,
  });
  const cpu = cpuSecondsOf(options.serverPid) - cpuBefore;
  const requests = result.requests.total;
  return {
    requests,
    perSecond: requests / (options.amount ? result.duration : options.seconds),
    perServerCpuSecond: cpu > 0 ? requests / cpu : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: options.expectStatus ? unexpected : result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
