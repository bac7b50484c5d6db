// One row per measured goal: the figure, the floor it is compared with (measured in the same
// run, on the same machine), their ratio and whether the goal is met.
export type Row = {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  floor?: { name: string; value: number } | undefined;
  ratio?: number | undefined;
  /** The ratio's spread over interleaved rounds (bench/lib/interleave.ts); `ratio` is its median. */
  ratioSpread?: { min: number; max: number; rounds: number } | undefined;
  goal?: string | undefined;
  met?: boolean | undefined;
};

const round = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(n >= 10 ? 1 : 2));

export function markdownTable(rows: Row[]): string {
  const lines = ['| scenario | figure | value | floor (same run) | ratio | goal | met |', '|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${row.figure} | ${round(row.value)} ${row.unit} | ${row.floor ? `${row.floor.name}: ${round(row.floor.value)}` : ''} | ${
        row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}${row.ratioSpread ? ` (${row.ratioSpread.min.toFixed(2)}–${row.ratioSpread.max.toFixed(2)}, ${row.ratioSpread.rounds} rounds)` : ''}`
      } | ${row.goal ?? ''} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n');
}
