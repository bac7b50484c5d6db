// The dependency audit of .ci/run (issue 9, part 5; docs/SECURITY.md "Dependency hygiene").
//
// 1. `npm audit --omit=dev --audit-level=high`: advisories of high or critical severity in
//    production dependencies fail the build.
// 2. When npm cannot get an answer from the advisory endpoint (this machine's registry answers
//    405 Method Not Allowed), that is not a finding: the build says so loudly and passes on the
//    offline check alone, unless AUDIT_REQUIRED=1 asks for a real audit.
// 3. Always: the offline floor check (scripts/dependency-floors.json against the installed tree).
//
// Exit 0 when it passes, 1 when it fails. Run: ./node_modules/.bin/node scripts/audit.ts
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFloors, installedCopies, readFloors } from './dependency-floors.ts';

export type AuditFinding = { name: string; severity: string; range: string; advisories: string[] };
export type AuditOutcome =
  | { kind: 'clean'; counts: Record<string, number> }
  | { kind: 'findings'; findings: AuditFinding[]; counts: Record<string, number> }
  | { kind: 'unavailable'; reason: string };

const BLOCKING = new Set(['high', 'critical']);

/** Reads `npm audit --json` output (npm 7+): a report, or npm's JSON account of why it has none. */
export function interpretAuditOutput(stdout: string, stderr = ''): AuditOutcome {
  let report: Record<string, any>;
  try {
    report = JSON.parse(stdout) as Record<string, any>;
  } catch {
    const last = `${stderr}\n${stdout}`.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    return { kind: 'unavailable', reason: last ? `npm printed no report: ${last}` : 'npm printed no report' };
  }
  const vulnerabilities = report.vulnerabilities as Record<string, { name?: string; severity?: string; range?: string; via?: unknown[] }> | undefined;
  const counts = (report.metadata?.vulnerabilities ?? {}) as Record<string, number>;
  if (!vulnerabilities || typeof vulnerabilities !== 'object' || report.error || report.statusCode) {
    const reason = String(report.message || report.error?.summary || report.error?.detail || 'no report in its output');
    const status = report.statusCode && !reason.startsWith(String(report.statusCode)) ? `${report.statusCode} ` : '';
    return { kind: 'unavailable', reason: `registry answered ${status}${reason}` };
  }
  const findings: AuditFinding[] = [];
  for (const [key, v] of Object.entries(vulnerabilities)) {
    if (!BLOCKING.has(String(v.severity))) continue;
    const advisories = (v.via ?? []).map((via) =>
      typeof via === 'string' ? `via ${via}` : `${(via as { title?: string }).title ?? 'advisory'} ${(via as { url?: string }).url ?? ''}`.trim(),
    );
    findings.push({ name: v.name ?? key, severity: String(v.severity), range: v.range ?? '', advisories });
  }
  return findings.length ? { kind: 'findings', findings, counts } : { kind: 'clean', counts };
}

function banner(lines: string[]): string {
  const bar = '!'.repeat(78);
  return [bar, ...lines.map((l) => `!! ${l}`), bar].join('\n');
}

function main(): number {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  let failed = false;

  console.log('-- npm audit --omit=dev --audit-level=high');
  const audit = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  const outcome: AuditOutcome = audit.error
    ? { kind: 'unavailable', reason: `npm could not be run: ${audit.error.message}` }
    : interpretAuditOutput(audit.stdout, audit.stderr);
  if (outcome.kind === 'findings') {
    failed = true;
    console.log(`npm audit: ${outcome.findings.length} production package(s) with high or critical advisories:`);
    for (const f of outcome.findings) {
      console.log(`  ${f.severity.toUpperCase()} ${f.name} ${f.range}`);
      for (const a of f.advisories) console.log(`      ${a}`);
    }
  } else if (outcome.kind === 'clean') {
    const summary = Object.entries(outcome.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
    console.log(`npm audit: no high or critical advisories in production dependencies${summary ? ` (below the bar: ${summary})` : ''}`);
  } else {
    const required = process.env.AUDIT_REQUIRED === '1';
    console.log(banner([
      `npm audit could not run: ${outcome.reason}`,
      'No advisory database was consulted in this build.',
      required
        ? 'AUDIT_REQUIRED=1: this fails the build.'
        : 'Not a finding, so the build goes on, guarded only by the offline floor check below,',
      ...(required ? [] : ['which knows only the advisories recorded in scripts/dependency-floors.json.', 'Set AUDIT_REQUIRED=1 where the audit endpoint must answer.']),
    ]));
    if (required) failed = true;
  }

  console.log('-- offline floor check (scripts/dependency-floors.json)');
  const floors = readFloors(join(root, 'scripts', 'dependency-floors.json'));
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const copies = installedCopies(lock, Object.keys(floors), root);
  const problems = checkFloors(floors, copies);
  for (const name of Object.keys(floors)) {
    const versions = [...new Set(copies.filter((c) => c.name === name).map((c) => c.version))].join(', ') || 'absent';
    const bad = problems.some((p) => p.name === name);
    console.log(`  ${bad ? 'BELOW' : 'ok   '} ${name} ${versions} (floor ${floors[name]!.floor})`);
  }
  for (const p of problems) console.log(`  ${p.message}`);
  if (problems.length) failed = true;

  console.log(failed ? 'dependency audit: FAILED' : 'dependency audit: passed');
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
