// Where the resident memory of `frontdoor serve` on PGlite goes: the bench's own start (first
// start creates the database, the measured one opens it), then 10,000 JWT sign-ins, with
// /proc/<pid>/smaps grouped by kind of mapping at rest and after: what chose the settings in
// src/storage/database.ts and pglite-worker.ts. `node bench/probes/memory-map.ts`
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../lib/admin.ts';
import { rssMegabytesOf, startFrontdoor } from '../lib/processes.ts';
import { memoryAfterSignIns } from '../scenarios/memory.ts';

function breakdown(pid: number): Record<string, number> {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n');
  const groups: Record<string, number> = {};
  let kind = '';
  for (const line of smaps) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const size = (parseInt(head[2]!, 16) - parseInt(head[1]!, 16)) / 2 ** 20;
      const name = head[4]!;
      kind = name ? (name.includes('/') ? `file ${name.split('/').pop()}` : name)
        : size >= 1024 ? 'anon huge reservation (wasm memory)'
        : head[3]!.includes('x') ? 'anon executable (code)'
        : size === 128 ? 'anon 128 MB (WebAssembly memory: PGlite opens it at 128 MB)' : 'anon other (V8 heaps, malloc)';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) groups[kind] = (groups[kind] ?? 0) + Number(rss[1]) / 1024;
  }
  const top = Object.entries(groups).sort((a, b) => b[1] - a[1]).filter(([, mb]) => mb >= 1);
  return Object.fromEntries(top.map(([k, mb]) => [k, Math.round(mb)]));
}

const dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-memprobe-'));
const env = { FRONTDOOR_DATA_DIR: dataDir };
const first = await startFrontdoor(env);
const firstRss = rssMegabytesOf(first.child.pid!);
await first.stop();
const apiKey = await createApiKey(env);
const frontdoor = await startFrontdoor(env);
try {
  const atRest = rssMegabytesOf(frontdoor.child.pid!);
  console.log(JSON.stringify({ firstStart: Math.round(firstRss), atRest: Math.round(atRest) }));
  console.log('at rest', breakdown(frontdoor.child.pid!));
  const rows = await memoryAfterSignIns(frontdoor, apiKey, atRest, true);
  console.log(JSON.stringify({ after: Math.round(rows[1]!.value as number) }));
  console.log('after', breakdown(frontdoor.child.pid!));
} finally {
  await frontdoor.stop();
  await rm(dataDir, { recursive: true, force: true });
}
