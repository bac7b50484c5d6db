import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { registerUser } from './lib/frontdoor-client.ts';
import { idleRssMegabytesOf, rssMegabytesOf, startFrontdoor } from './lib/processes.ts';
import { markdownTable, type Row } from './lib/report.ts';
import { createApiKey } from './lib/admin.ts';
import { createScratchDatabase } from './lib/scratch-database.ts';
import { jwtSignIn } from './scenarios/jwt-sign-in.ts';
import { adminLists } from './scenarios/admin-lists.ts';
import { betterAuthPeer } from './scenarios/better-auth.ts';
import { memoryAfterSignIns } from './scenarios/memory.ts';
import { oidcCallback } from './scenarios/oidc-callback.ts';
import { passwordSignIn } from './scenarios/password-sign-in.ts';
import { samlAcs } from './scenarios/saml-acs.ts';
import { sessionCheck, SECONDS } from './scenarios/session-check.ts';

// `npm run bench`: every scenario against real processes on loopback, each figure next to a
// floor measured in this same run, so the ratios hold on whatever machine runs it.
const account = { name: 'Bench User', email: 'bench@example.com', password: 'correct horse battery staple' };
const dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-bench-'));
// BENCH_DATABASE_URL: run Frontdoor on a PostgreSQL server instead (a scratch database is made and dropped).
const scratch = process.env.BENCH_DATABASE_URL ? await createScratchDatabase(process.env.BENCH_DATABASE_URL) : undefined;
const databaseEnv: Record<string, string> = scratch ? { DATABASE_URL: scratch.url } : { FRONTDOOR_DATA_DIR: dataDir };
const rows: Row[] = [];
// BENCH_SCENARIOS=session,jwt runs only those (names: memory, session, password, jwt, saml, oidc, lists, peer); default all.
const only = process.env.BENCH_SCENARIOS?.split(',').map((name) => name.trim());
const wanted = (name: string) => !only || only.includes(name);
// PGlite's initdb runs inside the first process and leaves its memory behind; an ordinary
// start opens an existing database. Both are reported.
const databaseName = scratch ? 'PostgreSQL server' : 'embedded PGlite';
const firstStart = await startFrontdoor(databaseEnv);
rows.push({ scenario: `${databaseName}, first start (creates the database)`, figure: 'resident memory', value: rssMegabytesOf(firstStart.child.pid!), unit: 'MB' });
await firstStart.stop();
const apiKey = await createApiKey(databaseEnv);
const frontdoor = await startFrontdoor(databaseEnv);
try {
  rows.push({ scenario: `${databaseName}, ordinary start, as it first answers`, figure: 'resident memory', value: rssMegabytesOf(frontdoor.child.pid!), unit: 'MB' });
  const atRest = await idleRssMegabytesOf(frontdoor.child.pid!);
  const sessionCookie = await registerUser(frontdoor.url, account);
  // First, while the server has done nothing else: memory after 10,000 sign-ins.
  if (wanted('memory')) rows.push(...(await memoryAfterSignIns(frontdoor, apiKey, atRest, !scratch)));
  else rows.push({ scenario: `${databaseName}, at rest (30 s idle after an ordinary start)`, figure: 'resident memory', value: atRest, unit: 'MB' });
  if (wanted('session')) rows.push(...(await sessionCheck(frontdoor, sessionCookie)));
  if (wanted('password')) rows.push(...(await passwordSignIn(frontdoor, account, sessionCookie)));
  if (wanted('jwt')) rows.push(...(await jwtSignIn(frontdoor, apiKey, scratch?.url)));
  if (wanted('saml')) rows.push(...(await samlAcs(frontdoor, apiKey)));
  if (wanted('oidc')) rows.push(...(await oidcCallback(frontdoor, apiKey)));
  rows.push({ scenario: `${databaseName}, after the load`, figure: 'resident memory', value: rssMegabytesOf(frontdoor.child.pid!), unit: 'MB' });
} finally {
  await frontdoor.stop();
  await rm(dataDir, { recursive: true, force: true });
  await scratch?.drop();
}

// The admin lists at scale, each size on a database of its own (BENCH_SCALE: bench/scenarios/admin-lists.ts).
if (wanted('lists')) rows.push(...(await adminLists(scratch ? 'postgres' : 'pglite', process.env.BENCH_DATABASE_URL)));

// The peer needs a PostgreSQL server: BENCH_DATABASE_URL, or the one CI machines have.
const peerDatabase = process.env.BENCH_DATABASE_URL ?? process.env.BENCH_PEER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
if (wanted('peer')) rows.push(...(await betterAuthPeer(peerDatabase)));

const machine = { database: databaseName, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, secondsPerScenario: SECONDS };
const at = new Date().toISOString();
await mkdir('bench/results', { recursive: true });
// A partial run writes beside the full results, never over them.
const name = `${scratch ? 'latest-postgres' : 'latest'}${only ? '-partial' : ''}`;
await writeFile(`bench/results/${name}.json`, `${JSON.stringify({ at, machine, rows }, null, 2)}\n`);
const markdown = `Run ${at} on ${machine.database}, ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${SECONDS} s per scenario.\n\n${markdownTable(rows)}\n`;
await writeFile(`bench/results/${name}.md`, markdown);
process.stdout.write(markdown);
const missed = rows.filter((row) => row.met === false);
if (missed.length) process.stdout.write(`\n${missed.length} goal(s) not met: ${missed.map((r) => `${r.scenario} ${r.figure}`).join('; ')}\n`);
