/** One line of the final table: a goal of issue 2 §14 against what was measured. */
export interface GoalRow {
  readonly goal: string;
  readonly measured: string;
  readonly target: string;
  /** undefined: not measured (phase failed or skipped). */
  readonly met: boolean | undefined;
}

export function formatSummary(rows: readonly GoalRow[]): string {
  const w = [
    Math.max(4, ...rows.map((r) => r.goal.length)),
    Math.max(8, ...rows.map((r) => r.measured.length)),
    Math.max(6, ...rows.map((r) => r.target.length)),
  ];
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(w[0]!)}  ${b.padStart(w[1]!)}  ${c.padEnd(w[2]!)}  ${d}`;
  return [
    line("goal", "measured", "target", "verdict"),
    line("-".repeat(w[0]!), "-".repeat(w[1]!), "-".repeat(w[2]!), "-------"),
    ...rows.map((r) =>
      line(r.goal, r.measured, r.target, r.met === undefined ? "not measured" : r.met ? "met" : "MISSED"),
    ),
  ].join("\n");
}
