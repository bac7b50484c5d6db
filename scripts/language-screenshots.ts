// Copies the language pictures that test/browser/languages.test.ts takes (test-output/screenshots,
// gitignored) to docs/screenshots/, where docs/ADMIN-CONSOLE.md and the README show them:
//   node --test test/browser/languages.test.ts && npm run screenshots:languages
import { copyFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../test-output/screenshots/', import.meta.url));
const to = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const chosen = (await readdir(from)).filter((name) => /^languages-[a-z-]+-(en|de)-(360|1280)\.png$/.test(name));
if (chosen.length === 0) throw new Error(`no language screenshots in ${from}: run test/browser/languages.test.ts first`);
for (const name of chosen) await copyFile(from + name, to + name);
console.log(`copied ${chosen.length} screenshots to docs/screenshots/`);
