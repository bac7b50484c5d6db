#!/usr/bin/env node
// Frontdoor is written in TypeScript that Node 22.18+ runs directly (type stripping).
// On an older Node (the machine's Node 20, say) we re-run ourselves with the Node 22
// that package.json pins as the `node` dev dependency, so `npx frontdoor` works anywhere.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');

if (process.features.typescript) {
  await import(main);
} else {
  let pinnedNode;
  try {
    pinnedNode = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  } catch {
    console.error(`frontdoor needs Node.js 22.18 or newer (this is ${process.version}); run "npm install" to get the pinned one.`);
    process.exit(1);
  }
  const result = spawnSync(pinnedNode, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
