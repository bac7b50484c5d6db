import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { interpretAuditOutput } from '../../scripts/audit.ts';
import { checkFloors, compareVersions, installedCopies, readFloors, type InstalledCopy } from '../../scripts/dependency-floors.ts';

// The dependency audit of .ci/run (docs/SECURITY.md "Dependency hygiene"): the offline floor
// check, the reading of `npm audit --json`, and the script's exit code with a stand-in npm.

const ROOT = join(import.meta.dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const floors = readFloors(join(ROOT, 'scripts', 'dependency-floors.json'));
const copy = (name: string, version: string): InstalledCopy => ({ name, path: `node_modules/${name}`, version, source: 'package-lock.json' });

// What this machine's registry answers (`npm audit --json`, npm 11): not a report.
const REFUSED = JSON.stringify({
  message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  method: 'POST', uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405, body: '', error: { summary: '', detail: '' },
});
// A report (auditReportVersion 2) with a critical advisory on xml-crypto, passed on to node-saml, and a low one.
const REPORT = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {
    'xml-crypto': {
      name: 'xml-crypto', severity: 'critical', isDirect: true, range: '4.0.0 - 6.0.0', nodes: ['node_modules/xml-crypto'], fixAvailable: true,
      via: [{ source: 1, name: 'xml-crypto', title: 'xml-crypto Vulnerable to XML Signature Verification Bypass via DigestValue Comment', url: 'https://github.com/advisories/GHSA-x3m8-899r-f7c3', severity: 'critical', range: '>=4.0.0 <6.0.1' }],
    },
    '@node-saml/node-saml': { name: '@node-saml/node-saml', severity: 'critical', isDirect: true, via: ['xml-crypto'], range: '5.0.0', nodes: ['node_modules/@node-saml/node-saml'], fixAvailable: true },
    cookie: { name: 'cookie', severity: 'low', isDirect: false, via: [{ title: 'cookie accepts out of bounds characters', url: 'https://github.com/advisories/GHSA-pxg6-pf52-xh8x', severity: 'low' }], range: '<0.7.0', nodes: ['node_modules/cookie'], fixAvailable: true },
  },
  metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, high: 0, critical: 2, total: 3 } },
});
const CLEAN = JSON.stringify({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } } });

describe('dependency floors', () => {
  it('orders versions as semver does, pre-releases before their release', () => {
    assert.ok(compareVersions('6.0.0', '6.0.1') < 0);
    assert.ok(compareVersions('0.8.9', '0.8.15') < 0, 'numeric, not text');
    assert.ok(compareVersions('6.0.1-beta.2', '6.0.1') < 0);
    assert.ok(compareVersions('6.0.1-beta.2', '6.0.1-beta.10') < 0);
    assert.ok(compareVersions('6.0.1-alpha', '6.0.1-1') > 0, 'numeric identifiers sort first');
    assert.equal(compareVersions('5.1.0', '5.1.0'), 0);
    assert.equal(compareVersions('5.1.0+build.7', '5.1.0'), 0);
    assert.ok(compareVersions('10.0.0', '9.99.99') > 0);
    assert.throws(() => compareVersions('latest', '1.0.0'), /not a semantic version: latest/);
  });

  it('a version below its floor fails; at the floor and above passes', () => {
    const table = { 'xml-crypto': { floor: '6.0.1', reason: 'CVE-2025-29775' } };
    assert.deepEqual(checkFloors(table, [copy('xml-crypto', '6.0.1')]), []);
    assert.deepEqual(checkFloors(table, [copy('xml-crypto', '6.3.2')]), []);
    const below = checkFloors(table, [copy('xml-crypto', '6.0.0')]);
    assert.equal(below.length, 1);
    assert.match(below[0]!.message, /xml-crypto 6\.0\.0 at node_modules\/xml-crypto \(package-lock\.json\) is below its floor 6\.0\.1/);
    assert.equal(checkFloors(table, [copy('xml-crypto', '6.0.1-rc.1')]).length, 1, 'a pre-release of the floor is below it');
  });

  it('every copy counts (a nested old copy fails even when the top one is fine), and so does a copy on disk that differs from the lockfile', () => {
    const table = { '@xmldom/xmldom': { floor: '0.8.15', reason: 'x' } };
    const nested: InstalledCopy = { name: '@xmldom/xmldom', path: 'node_modules/xml-encryption/node_modules/@xmldom/xmldom', version: '0.7.13', source: 'package-lock.json' };
    assert.equal(checkFloors(table, [copy('@xmldom/xmldom', '0.8.15'), nested]).length, 1);
    const onDisk: InstalledCopy = { ...copy('@xmldom/xmldom', '0.8.10'), source: 'node_modules' };
    assert.match(checkFloors(table, [copy('@xmldom/xmldom', '0.8.15'), onDisk])[0]!.message, /0\.8\.10 .*\(node_modules\)/);
  });

  it('a floor for a package the tree does not hold, or an unreadable version, is a problem, not a pass', () => {
    assert.match(checkFloors({ 'left-pad': { floor: '1.0.0', reason: 'x' } }, [])[0]!.message, /not in the production tree/);
    assert.match(checkFloors({ jose: { floor: '6.0.0', reason: 'x' } }, [copy('jose', 'github:panva/jose')])[0]!.message, /not a semantic version/);
  });

  it('reads production copies from the lockfile and leaves dev-only ones out', () => {
    const fake = {
      lockfileVersion: 3,
      packages: {
        '': { version: '0.1.0' },
        'node_modules/nodemailer': { version: '10.6.1' },
        'node_modules/mailparser/node_modules/nodemailer': { version: '6.0.0', dev: true },
        'node_modules/xml-encryption/node_modules/@xmldom/xmldom': { version: '0.7.13' },
      },
    };
    assert.deepEqual(installedCopies(fake, ['nodemailer', '@xmldom/xmldom']).map((c) => `${c.path}@${c.version}`), [
      'node_modules/nodemailer@10.6.1',
      'node_modules/xml-encryption/node_modules/@xmldom/xmldom@0.7.13',
    ]);
    assert.throws(() => installedCopies({ lockfileVersion: 1 }, ['pg']), /lockfileVersion 2 or 3/);
  });

  it('the committed floors are met by the installed tree, and cover the security-critical libraries', () => {
    const copies = installedCopies(lock, Object.keys(floors), ROOT);
    assert.deepEqual(checkFloors(floors, copies), []);
    for (const name of ['xml-crypto', '@xmldom/xmldom', '@node-saml/node-saml', 'xml-encryption', 'jose', 'openid-client', 'fastify', '@fastify/cookie', 'pg', '@electric-sql/pglite', 'nodemailer', '@node-rs/argon2']) {
      assert.ok(floors[name], `${name} has a floor`);
    }
  });

  it('the XML libraries that decide SAML signatures are pinned exactly in package.json, at or above their floors, and the lockfile agrees', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const name of ['xml-crypto', '@xmldom/xmldom', '@node-saml/node-saml', 'xml-encryption']) {
      const pinned = manifest.dependencies[name] as string;
      assert.match(pinned, /^\d+\.\d+\.\d+$/, `${name} is pinned exactly (no range), got ${pinned}`);
      assert.ok(compareVersions(pinned, floors[name]!.floor) >= 0, `${name} ${pinned} is at or above its floor`);
      assert.equal(lock.packages[''].dependencies[name], pinned, `${name}: the lockfile's root entry says the same`);
      assert.equal(lock.packages[`node_modules/${name}`].version, pinned, `${name}: the locked copy is the pinned version`);
    }
  });
});

describe('reading npm audit --json', () => {
  it('a refused audit endpoint is "unavailable", with the registry\'s answer, not a finding', () => {
    assert.deepEqual(interpretAuditOutput(REFUSED), {
      kind: 'unavailable', reason: 'registry answered 405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    });
    assert.equal(interpretAuditOutput('', 'npm error code ENOTFOUND').kind, 'unavailable');
    assert.match((interpretAuditOutput('', 'npm error code ENOTFOUND') as { reason: string }).reason, /ENOTFOUND/);
  });

  it('high and critical advisories are findings, with their titles; low and moderate ones are not', () => {
    const outcome = interpretAuditOutput(REPORT);
    assert.equal(outcome.kind, 'findings');
    const findings = (outcome as { findings: { name: string; advisories: string[] }[] }).findings;
    assert.deepEqual(findings.map((f) => f.name), ['xml-crypto', '@node-saml/node-saml']);
    assert.match(findings[0]!.advisories[0]!, /DigestValue Comment https:\/\/github\.com\/advisories\/GHSA-x3m8-899r-f7c3/);
    assert.deepEqual(findings[1]!.advisories, ['via xml-crypto']);
    assert.equal(interpretAuditOutput(CLEAN).kind, 'clean');
  });
});

describe('scripts/audit.ts with a stand-in npm', () => {
  const bin = mkdtempSync(join(tmpdir(), 'frontdoor-fake-npm-'));
  after(() => rmSync(bin, { recursive: true, force: true }));

  function runAudit(npmOutput: string, npmExit: number, env: Record<string, string> = {}) {
    writeFileSync(join(bin, 'out.json'), npmOutput);
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\ncat "${join(bin, 'out.json')}"\nexit ${npmExit}\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    const { AUDIT_REQUIRED: _ignored, ...inherited } = process.env;
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'audit.ts')], {
      cwd: ROOT, encoding: 'utf8', env: { ...inherited, ...env, PATH: `${bin}:${process.env.PATH}` },
    });
    return { status: result.status, output: result.stdout + result.stderr };
  }

  it('endpoint refused: passes on the floor check, saying loudly that npm audit could not run', () => {
    const { status, output } = runAudit(REFUSED, 1);
    assert.equal(status, 0, output);
    assert.match(output, /!! npm audit could not run: registry answered 405 Method Not Allowed/);
    assert.match(output, /ok {4}xml-crypto 6\.3\.2 \(floor 6\.0\.1\)/);
    assert.match(output, /dependency audit: passed/);
  });

  it('endpoint refused with AUDIT_REQUIRED=1: fails', () => {
    const { status, output } = runAudit(REFUSED, 1, { AUDIT_REQUIRED: '1' });
    assert.equal(status, 1, output);
    assert.match(output, /AUDIT_REQUIRED=1: this fails the build/);
  });

  it('a high or critical advisory in production dependencies fails the build, naming it', () => {
    const { status, output } = runAudit(REPORT, 1);
    assert.equal(status, 1, output);
    assert.match(output, /CRITICAL xml-crypto 4\.0\.0 - 6\.0\.0/);
    assert.match(output, /dependency audit: FAILED/);
  });

  it('a clean report passes', () => {
    const { status, output } = runAudit(CLEAN, 0);
    assert.equal(status, 0, output);
    assert.match(output, /npm audit: no high or critical advisories in production dependencies/);
  });
});
