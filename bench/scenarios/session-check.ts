import { interleaved } from '../lib/interleave.ts';
import { measureLatency } from '../lib/latency.ts';
import { runLoad } from '../lib/load.ts';
import { startModule, type Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
/** Rounds of floor-subject interleaving (bench/lib/interleave.ts). */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** One measurement window of an interleaved pair: the scenario's time, shared among its windows. */
export const WINDOW_SECONDS = Math.max(2, Math.round(SECONDS / 2));

/**
 * The per-request session check (`GET /api/v1/session` with a live cookie, what a proxy asks
 * on every request to a protected app) against a bare node:http server answering 200,
 * interleaved (bare, Frontdoor, bare, ...), each counted per wall second and per CPU-second
 * of its own process. Latency from the microsecond driver at a steady 1,000 per second.
 */
export async function sessionCheck(frontdoor: Server, sessionCookie: string): Promise<Row[]> {
  const bare = await startModule('bench/servers/bare-http.ts');
  try {
    const bareLoad = { url: bare.url, connections: 10, seconds: WINDOW_SECONDS, serverPid: bare.child.pid!, expectStatus: 200 };
    const checkLoad = { url: `${frontdoor.url}/api/v1/session`, headers: { cookie: sessionCookie }, connections: 10, seconds: WINDOW_SECONDS, serverPid: frontdoor.child.pid!, expectStatus: 200 };
    // The same 2 s of load on each before anything is measured: both measured compiled by the JIT.
    await runLoad({ ...bareLoad, seconds: 2 });
    await runLoad({ ...checkLoad, seconds: 2 });
    let unexpected = 0;
    const rate = async (options: Parameters<typeof runLoad>[0]) => {
      const result = await runLoad(options);
      unexpected += result.non2xx + result.errors;
      return { perSecond: result.perSecond, perCpuSecond: result.perServerCpuSecond };
    };
    const pair = await interleaved(ROUNDS, () => rate(bareLoad), () => rate(checkLoad));
    if (unexpected) throw new Error(`session check: ${unexpected} unexpected answers or errors`);
    const latency = (url: string, headers?: Record<string, string>) => measureLatency({ url, headers, perSecond: 1000, seconds: WINDOW_SECONDS, expectStatus: 200 });
    const bareLatency = await latency(bare.url);
    const checkLatency = await latency(`${frontdoor.url}/api/v1/session`, { cookie: sessionCookie });
    if (checkLatency.unexpected) throw new Error(`session check: ${checkLatency.unexpected} unexpected answers`);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const spread = (s: { min: number; max: number }) => ({ min: s.min, max: s.max, rounds: ROUNDS });
    return [
      {
        scenario: 'session check, 10 connections', figure: 'requests/s', value: median(pair.subjects.map((s) => s.perSecond)), unit: 'req/s',
        floor: { name: 'bare node:http, interleaved', value: median(pair.floors.map((f) => f.perSecond)) }, ratio: pair.perSecond.median, ratioSpread: spread(pair.perSecond),
        goal: '≥ 0.55 of floor', met: pair.perSecond.median >= 0.55,
      },
      {
        scenario: 'session check, 10 connections', figure: 'per server CPU-second', value: median(pair.subjects.map((s) => s.perCpuSecond)), unit: 'req/CPU-s',
        floor: { name: 'bare node:http, interleaved', value: median(pair.floors.map((f) => f.perCpuSecond)) }, ratio: pair.perCpuSecond.median, ratioSpread: spread(pair.perCpuSecond),
      },
      { scenario: 'session check, 1000/s steady (µs driver)', figure: 'p50 latency', value: checkLatency.p50Ms, unit: 'ms', floor: { name: 'bare node:http, same driver', value: bareLatency.p50Ms } },
      { scenario: 'session check, 1000/s steady (µs driver)', figure: 'p99 latency', value: checkLatency.p99Ms, unit: 'ms', floor: { name: 'bare node:http, same driver', value: bareLatency.p99Ms }, goal: '≤ 2 ms', met: checkLatency.p99Ms <= 2 },
    ];
  } finally {
    await bare.stop();
  }
}
