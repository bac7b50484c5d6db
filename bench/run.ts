import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { registerUser } from './lib/frontdoor-client.ts';
import { rssMegabytesOf, startFrontdoor } from './lib/processes.ts';
import { markdownTable, type Row } from './lib/report.ts';
import { createApiKey } from './lib/admin.ts';
import { jwtSignIn } from './scenarios/jwt-sign-in.ts';
import { passwordSignIn } from './scenarios/password-sign-in.ts';
import { sessionCheck, SECONDS } from './scenarios/session-check.ts';

// `npm run bench`: every scenario against real processes on loopback, each figure next to a
// floor measured in this same run, so the ratios hold on whatever machine runs it.
const account = { name: 'Bench User', email: 'bench@example.com', password: 'correct horse battery staple' };
const dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-bench-'));
const rows: Row[] = [];
// PGlite's initdb runs inside the first process and leaves its memory behind; an ordinary
// start opens an existing database. Both are reported.
const firstStart = await startFrontdoor({ FRONTDOOR_DATA_DIR: dataDir });
rows.push({ scenario: 'embedded PGlite, first start (creates the database)', figure: 'resident memory', value: rssMegabytesOf(firstStart.child.pid!), unit: 'MB' });
await firstStart.stop();
const apiKey = await createApiKey({ FRONTDOOR_DATA_DIR: dataDir });
const frontdoor = await startFrontdoor({ FRONTDOOR_DATA_DIR: dataDir });
try {
  rows.push({ scenario: 'embedded PGlite, ordinary start, at rest', figure: 'resident memory', value: rssMegabytesOf(frontdoor.child.pid!), unit: 'MB' });
  const sessionCookie = await registerUser(frontdoor.url, account);
  rows.push(...(await sessionCheck(frontdoor, sessionCookie)));
  rows.push(...(await passwordSignIn(frontdoor, account, sessionCookie)));
  rows.push(...(await jwtSignIn(frontdoor, apiKey)));
  rows.push({ scenario: 'embedded PGlite, after the load', figure: 'resident memory', value: rssMegabytesOf(frontdoor.child.pid!), unit: 'MB' });
} finally {
  await frontdoor.stop();
  await rm(dataDir, { recursive: true, force: true });
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, secondsPerScenario: SECONDS };
const at = new Date().toISOString();
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/latest.json', `${JSON.stringify({ at, machine, rows }, null, 2)}\n`);
const markdown = `Run ${at} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${SECONDS} s per scenario.\n\n${markdownTable(rows)}\n`;
await writeFile('bench/results/latest.md', markdown);
process.stdout.write(markdown);
const missed = rows.filter((row) => row.met === false);
if (missed.length) process.stdout.write(`\n${missed.length} goal(s) not met: ${missed.map((r) => `${r.scenario} ${r.figure}`).join('; ')}\n`);
