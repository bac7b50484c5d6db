import { runLoad } from '../lib/load.ts';
import { startModule, type Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/**
 * The per-request session check (`GET /api/v1/session` with a live cookie, what a proxy asks
 * on every request to a protected app) against a bare node:http server answering 200.
 */
export async function sessionCheck(frontdoor: Server, sessionCookie: string): Promise<Row[]> {
  // Each server gets the same 2 s of load before it is measured, so both are measured with
  // their code compiled by the JIT, not while it warms up.
  const measure = async (options: Parameters<typeof runLoad>[0]) => {
    await runLoad({ ...options, seconds: Math.min(2, SECONDS) });
    return runLoad(options);
  };
  const bare = await startModule('bench/servers/bare-http.ts');
  let floor;
  try {
    floor = await measure({ url: bare.url, connections: 10, seconds: SECONDS, serverPid: bare.child.pid!, expectStatus: 200 });
  } finally {
    await bare.stop();
  }
  const checked = await measure({
    url: `${frontdoor.url}/api/v1/session`, headers: { cookie: sessionCookie }, connections: 10, seconds: SECONDS,
    serverPid: frontdoor.child.pid!, expectStatus: 200,
  });
  if (checked.non2xx || checked.errors) throw new Error(`session check: ${checked.non2xx} unexpected answers, ${checked.errors} errors`);
  const ratio = checked.perSecond / floor.perSecond;
  return [
    { scenario: 'session check, 10 connections', figure: 'requests/s', value: checked.perSecond, unit: 'req/s', floor: { name: 'bare node:http', value: floor.perSecond }, ratio, goal: '≥ 0.55 of floor', met: ratio >= 0.55 },
    { scenario: 'session check, 10 connections', figure: 'per server CPU-second', value: checked.perServerCpuSecond, unit: 'req/CPU-s', floor: { name: 'bare node:http', value: floor.perServerCpuSecond }, ratio: checked.perServerCpuSecond / floor.perServerCpuSecond },
    { scenario: 'session check, 10 connections', figure: 'p50 latency', value: checked.p50Ms, unit: 'ms', floor: { name: 'bare node:http', value: floor.p50Ms } },
    { scenario: 'session check, 10 connections', figure: 'p99 latency', value: checked.p99Ms, unit: 'ms', floor: { name: 'bare node:http', value: floor.p99Ms }, goal: '≤ 2 ms', met: checked.p99Ms <= 2 },
  ];
}
