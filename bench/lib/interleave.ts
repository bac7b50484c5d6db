import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What one measurement window gave: operations per wall second and per CPU-second of the process measured. */
export type Rate = { perSecond: number; perCpuSecond: number };
export type Spread = { min: number; median: number; max: number; values: number[] };

export function spreadOf(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0, values };
}

/**
 * A figure and its floor, measured in turn in one window: floor, subject, floor, subject, ...,
 * floor. Each subject measurement is divided by the mean of the floors just before and just
 * after it, so a machine that gets busier or quieter during the run (other work, CPU steal,
 * thermal limits) moves both sides of each ratio alike. A floor measured once, elsewhere, in
 * another minute, divides a figure by the noise of that minute.
 */
export async function interleaved(rounds: number, floor: () => Promise<Rate>, subject: () => Promise<Rate>): Promise<{ floors: Rate[]; subjects: Rate[]; perCpuSecond: Spread; perSecond: Spread }> {
  const floors = [await floor()];
  const subjects: Rate[] = [];
  for (let i = 0; i < rounds; i++) {
    subjects.push(await subject());
    floors.push(await floor());
  }
  const ratio = (pick: (r: Rate) => number) => spreadOf(subjects.map((s, i) => pick(s) / ((pick(floors[i]!) + pick(floors[i + 1]!)) / 2)));
  return { floors, subjects, perCpuSecond: ratio((r) => r.perCpuSecond), perSecond: ratio((r) => r.perSecond) };
}

/** A bare floor in a process of its own (bench/servers/*-floor.ts), which prints {operations, seconds, cpuSeconds}. */
export async function floorProcess(module: string, seconds: number, env: Record<string, string> = {}): Promise<Rate> {
  const { stdout } = await run(process.execPath, [module], { env: { ...process.env, ...env, SECONDS: String(seconds) }, maxBuffer: 1 << 20 });
  const measured = JSON.parse(stdout) as { operations: number; seconds: number; cpuSeconds: number };
  if (!(measured.operations > 0 && measured.cpuSeconds > 0)) throw new Error(`${module} measured nothing: ${stdout}`);
  return { perSecond: measured.operations / measured.seconds, perCpuSecond: measured.operations / measured.cpuSeconds };
}

/**
 * A ratio that cannot be true fails the run: a sign-in does its floor's work and more, so
 * per CPU-second it cannot beat it. Above 1, the floor is not a floor (or the counting differs).
 */
export function assertPossible(label: string, spread: Spread): void {
  if (spread.max > 1) {
    throw new Error(`${label}: ${spread.max.toFixed(2)} of its own floor per CPU-second; that cannot be true, so the measurement is wrong (ratios ${spread.values.map((v) => v.toFixed(2)).join(', ')})`);
  }
}
