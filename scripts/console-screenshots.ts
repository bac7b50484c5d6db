// Copies the console pictures that test/browser/console-pages.test.ts takes (test-output/screenshots,
// gitignored) to docs/screenshots/, where docs/ADMIN-CONSOLE.md shows them. Run the test first:
//   node --test test/browser/console-pages.test.ts && node scripts/console-screenshots.ts
import { copyFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../test-output/screenshots/', import.meta.url));
const to = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const chosen = (await readdir(from)).filter((name) => /^admin-[a-z0-9-]+-(360|1280)\.png$/.test(name));
if (chosen.length === 0) throw new Error(`no console screenshots in ${from}: run test/browser/console-pages.test.ts first`);
for (const name of chosen) await copyFile(from + name, to + name);
console.log(`copied ${chosen.length} screenshots to docs/screenshots/`);
