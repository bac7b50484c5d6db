import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from './lib/scratch-database.ts';
import { startFrontdoor } from './lib/processes.ts';

// Issue 19's throughput check: 10,000 Users and 500 Groups (20 members each) created through
// SCIM in one run against a real `frontdoor serve` on loopback, as an identity service's
// initial sync does it (a few requests in flight at once). Fails on any 5xx; reports Users/s.
//   node bench/scim-bulk.ts [users] [groups]     (DATABASE_URL set: on a scratch PostgreSQL database)

const USERS = Number(process.argv[2] ?? 10_000);
const GROUPS = Number(process.argv[3] ?? 500);
const MEMBERS = 20;
const IN_FLIGHT = 8;

const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-scim-bench-'));
const scratch = process.env.DATABASE_URL ? await createScratchDatabase(process.env.DATABASE_URL) : undefined;
const env: Record<string, string> = scratch ? { DATABASE_URL: scratch.url } : { FRONTDOOR_DATA_DIR: dataDir };
const server = await startFrontdoor(env);
const statuses = new Map<number, number>();
try {
  // The token through the CLI, which the running server answers over its control socket.
  const cli = spawnSync(process.execPath, ['src/cli/main.ts', 'scim', 'create', '--audience', 'users', '--name', 'bench'], {
    env: { ...process.env, ...env, PUBLIC_URL: server.url }, encoding: 'utf8',
  });
  const token = cli.stdout.trim();
  if (cli.status !== 0 || !token) throw new Error(`scim create failed: ${cli.stderr}`);

  const send = async (path: string, body: unknown): Promise<{ id?: string }> => {
    const response = await fetch(`${server.url}/scim/v2${path}`, {
      method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    return response.json() as Promise<{ id?: string }>;
  };
  /** Runs `count` requests with IN_FLIGHT of them under way at a time; the ids in order. */
  const run = async (count: number, request: (i: number) => Promise<{ id?: string }>) => {
    const ids: (string | undefined)[] = new Array(count);
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = next++; i < count; i = next++) ids[i] = (await request(i)).id;
    }));
    return ids;
  };

  const usersStart = performance.now();
  const userIds = await run(USERS, (i) => send('/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `bulk${i}@example.com`, externalId: `ext-${i}`,
    name: { givenName: 'Bulk', familyName: `User ${i}` }, emails: [{ value: `bulk${i}@example.com`, type: 'work', primary: true }], active: true,
  }));
  const usersSeconds = (performance.now() - usersStart) / 1000;
  const groupsStart = performance.now();
  await run(GROUPS, (g) => send('/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Bulk group ${g}`,
    members: Array.from({ length: MEMBERS }, (_, m) => ({ value: userIds[(g * MEMBERS + m) % USERS] })),
  }));
  const groupsSeconds = (performance.now() - groupsStart) / 1000;

  const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((n, [, c]) => n + c, 0);
  const report = {
    database: scratch ? 'postgres' : 'pglite', users: USERS, groups: GROUPS, membersPerGroup: MEMBERS, inFlight: IN_FLIGHT,
    usersPerSecond: Math.round(USERS / usersSeconds), groupsPerSecond: Math.round(GROUPS / groupsSeconds),
    usersSeconds: Number(usersSeconds.toFixed(1)), groupsSeconds: Number(groupsSeconds.toFixed(1)), statuses: Object.fromEntries(statuses),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (fiveHundreds > 0 || statuses.get(201) !== USERS + GROUPS) process.exitCode = 1;
} finally {
  await server.stop();
  await scratch?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
