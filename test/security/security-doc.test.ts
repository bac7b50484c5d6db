import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

// docs/SECURITY.md states each guarantee with the test that shows it (issue 9). This keeps the
// references true: every test file it names exists, every test title it quotes is in that file,
// every row of a table with a "test" column names a test (or says "not tested"), and the library
// versions it lists are the ones package-lock.json installs.

const ROOT = join(import.meta.dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'SECURITY.md'), 'utf8');
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}
const TEST_FILES = filesUnder(join(ROOT, 'test')).map((f) => relative(ROOT, f));

/** A reference in the doc (`test/x/y.test.ts`, or a bare `y.test.ts`) to the file it means. */
function resolve(ref: string): string[] {
  if (ref.startsWith('test/')) return existsSync(join(ROOT, ref)) ? [ref] : [];
  return TEST_FILES.filter((f) => f.endsWith(`/${ref}`));
}

describe('docs/SECURITY.md', () => {
  it('names only test files that exist, and no bare name that is ambiguous', () => {
    const refs = new Set([...DOC.matchAll(/(?<![\w/.-])((?:test\/)?[\w./-]+\.test\.ts)/g)].map((m) => m[1]!));
    assert.ok(refs.size > 20, `only ${refs.size} test files named`);
    for (const ref of refs) {
      const found = resolve(ref);
      assert.equal(found.length, 1, `${ref}: ${found.length ? `ambiguous (${found.join(', ')})` : 'no such test file'}`);
    }
    for (const helper of new Set([...DOC.matchAll(/(?<![\w/.-])(test\/helpers\/[\w.-]+\.ts)/g)].map((m) => m[1]!))) {
      assert.ok(existsSync(join(ROOT, helper)), `${helper}: no such helper`);
    }
  });

  it('quotes only test titles that are in the file it names', () => {
    // `file.test.ts` ("title one", "title two"): the titles of tests in that file.
    const quoted = [...DOC.matchAll(/`((?:test\/)?[\w./-]+\.test\.ts)` \(((?:"[^"]+"(?:, )?)+)\)/g)];
    assert.ok(quoted.length >= 10, `only ${quoted.length} quoted titles`);
    for (const [, ref, list] of quoted) {
      const [file] = resolve(ref!);
      assert.ok(file, `${ref}: no such test file`);
      const source = readFileSync(join(ROOT, file), 'utf8').replaceAll("\\'", "'");
      for (const [, title] of list!.matchAll(/"([^"]+)"/g)) {
        assert.ok(source.includes(`'${title}'`) || source.includes(`\`${title}\``) || source.includes(`"${title}"`), `${file} has no test titled "${title}"`);
      }
    }
  });

  it('every row of a table with a "test" column names a test, or says it is not tested', () => {
    let tables = 0;
    const lines = DOC.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const header = lines[i]!;
      if (!header.startsWith('|') || !/^\|[-| ]+\|$/.test(lines[i + 1] ?? '')) continue;
      const columns = header.split('|').slice(1, -1).map((c) => c.trim());
      const column = columns.findIndex((c) => c === 'test' || c === 'tests');
      if (column < 0) continue;
      tables += 1;
      for (let j = i + 2; lines[j]?.startsWith('|'); j++) {
        const cell = lines[j]!.split(/(?<!\\)\|/).slice(1, -1)[column]?.trim() ?? '';
        assert.match(cell, /\.test\.ts|not tested|^both$/, `row without a test: ${lines[j]!.slice(0, 120)}`);
      }
    }
    assert.ok(tables >= 3, `only ${tables} tables with a test column`);
  });

  it('lists the XML and JWT library versions package-lock.json installs', () => {
    const section = DOC.slice(DOC.indexOf('## XML and JWT libraries'), DOC.indexOf('## Dependency hygiene'));
    const rows = [...section.matchAll(/^\| `(@?[\w./-]+)` \| (\d+\.\d+\.\d+\S*) \|/gm)];
    const named = rows.map((r) => r[1]);
    for (const name of ['xml-crypto', '@xmldom/xmldom', '@node-saml/node-saml', 'xml-encryption', 'jose', 'openid-client']) {
      assert.ok(named.includes(name), `${name} is not in the table`);
    }
    for (const [, name, version] of rows) {
      assert.equal(version, lock.packages[`node_modules/${name}`]?.version, `${name}: the doc says ${version}`);
    }
  });

  it('names every library of the dependency floor table', () => {
    const { floors } = JSON.parse(readFileSync(join(ROOT, 'scripts', 'dependency-floors.json'), 'utf8')) as { floors: Record<string, unknown> };
    for (const name of Object.keys(floors)) assert.ok(DOC.includes(`\`${name}\``), `${name} is not named in docs/SECURITY.md`);
  });
});
