import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The offline half of the dependency audit (issue 9, part 5; docs/SECURITY.md "Dependency
// hygiene"): a committed table of the lowest version of each security-critical library we
// accept, compared with every copy of it the production tree holds. It needs no network, so it
// still guards a build when `npm audit` cannot reach an advisory database; it only knows the
// advisories recorded in the table, which is why `npm audit` runs first wherever it can.

export type Floor = { floor: string; reason: string };
export type Floors = Record<string, Floor>;
/** One copy of a package in the tree: where it sits and its version (lockfile or on disk). */
export type InstalledCopy = { name: string; path: string; version: string; source: 'package-lock.json' | 'node_modules' };
export type FloorProblem = { name: string; floor: string; message: string };

type Lockfile = { lockfileVersion?: number; packages?: Record<string, { version?: string; dev?: boolean; link?: boolean }> };

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Semantic-version order (semver.org section 11): negative, zero or positive; throws on a version it cannot read. */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a.trim());
  const pb = SEMVER.exec(b.trim());
  if (!pa || !pb) throw new Error(`not a semantic version: ${pa ? b : a}`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  const [ra, rb] = [pa[4], pb[4]];
  // A pre-release sorts before its release: 6.0.1-beta.1 < 6.0.1.
  if (ra === undefined || rb === undefined) return ra === rb ? 0 : ra === undefined ? 1 : -1;
  const xa = ra.split('.');
  const xb = rb.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const na = /^\d+$/.test(xa[i]!);
    const nb = /^\d+$/.test(xb[i]!);
    if (na && nb && Number(xa[i]) !== Number(xb[i])) return Number(xa[i]) - Number(xb[i]);
    if (na !== nb) return na ? -1 : 1;
    if (!na && xa[i] !== xb[i]) return xa[i]! < xb[i]! ? -1 : 1;
  }
  return 0;
}

/**
 * Every production copy of the named packages: the lockfile's entries (npm 7+ lockfile; `dev`
 * entries are left out, as `npm audit --omit=dev` does) and, when `root` is given, the version of
 * the same copy on disk, in case node_modules and the lockfile disagree.
 */
export function installedCopies(lock: Lockfile, names: readonly string[], root?: string): InstalledCopy[] {
  if (!lock.packages || (lock.lockfileVersion ?? 0) < 2) throw new Error('package-lock.json must be lockfileVersion 2 or 3 (npm 7 or newer)');
  const wanted = new Set(names);
  const copies: InstalledCopy[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0 || entry.dev || entry.link) continue;
    const name = path.slice(at + 'node_modules/'.length);
    if (!wanted.has(name)) continue;
    copies.push({ name, path, version: entry.version ?? '(none)', source: 'package-lock.json' });
    const manifest = root ? join(root, path, 'package.json') : undefined;
    if (manifest && existsSync(manifest)) {
      const onDisk = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '(none)';
      if (onDisk !== entry.version) copies.push({ name, path, version: onDisk, source: 'node_modules' });
    }
  }
  return copies;
}

/** What is wrong: a copy below its floor or unreadable, or a floor whose package is not in the tree at all. */
export function checkFloors(floors: Floors, copies: readonly InstalledCopy[]): FloorProblem[] {
  const problems: FloorProblem[] = [];
  for (const [name, { floor }] of Object.entries(floors)) {
    const mine = copies.filter((c) => c.name === name);
    // A floor for a library the tree no longer holds is a stale table: say so rather than pass quietly.
    if (mine.length === 0) problems.push({ name, floor, message: `${name} is not in the production tree; update scripts/dependency-floors.json` });
    for (const copy of mine) {
      let below: boolean;
      try {
        below = compareVersions(copy.version, floor) < 0;
      } catch {
        problems.push({ name, floor, message: `${name} at ${copy.path} has version "${copy.version}" (${copy.source}), which is not a semantic version` });
        continue;
      }
      if (below) problems.push({ name, floor, message: `${name} ${copy.version} at ${copy.path} (${copy.source}) is below its floor ${floor}` });
    }
  }
  return problems;
}

export function readFloors(file: string): Floors {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { floors?: Floors };
  if (!parsed.floors || typeof parsed.floors !== 'object') throw new Error(`${file} has no "floors" object`);
  for (const [name, entry] of Object.entries(parsed.floors)) {
    if (typeof entry?.floor !== 'string' || !SEMVER.test(entry.floor)) throw new Error(`${file}: ${name} has no valid "floor"`);
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') throw new Error(`${file}: ${name} has no "reason"`);
  }
  return parsed.floors;
}
