import { int, opsPerServerCoreSecond, type PhaseReport } from "./phase-report.js";
import type { GoalRow } from "./summary.js";

export interface MeasuredPhases {
  readonly full?: PhaseReport;
  readonly refresh?: PhaseReport;
  readonly paced?: PhaseReport;
  readonly plain?: PhaseReport;
  readonly connect?: PhaseReport;
  readonly idleReport?: PhaseReport;
  readonly idle?: {
    readonly connections: number;
    readonly rssBytes: number;
    readonly rssBeforeBytes: number;
  };
}

const MB = 1024 * 1024;
const IDLE_GOAL_CONNECTIONS = 10_000;

/** The RSS goal is for 10,000 connections: with fewer held, show a linear projection instead of a verdict. */
function idleRow(idle: MeasuredPhases["idle"]): GoalRow {
  const goal = `(d) server RSS, ${int(IDLE_GOAL_CONNECTIONS)} idle registered TLS conns`;
  if (!idle || idle.connections === 0) return { goal, measured: "-", target: "< 600 MB", met: undefined };
  const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
  if (idle.connections >= IDLE_GOAL_CONNECTIONS)
    return { goal, measured: mb(idle.rssBytes), target: "< 600 MB", met: idle.rssBytes < 600 * MB };
  const perConnection = (idle.rssBytes - idle.rssBeforeBytes) / idle.connections;
  const projected = idle.rssBeforeBytes + perConnection * IDLE_GOAL_CONNECTIONS;
  return {
    goal,
    measured: `${mb(idle.rssBytes)} at ${int(idle.connections)}, ~${mb(projected)} projected`,
    target: "< 600 MB",
    met: undefined,
  };
}

function perCore(goal: string, report: PhaseReport | undefined, target: number): GoalRow {
  if (!report || report.result.ops === 0)
    return { goal, measured: "-", target: `≥ ${int(target)}`, met: undefined };
  const value = opsPerServerCoreSecond(report);
  return { goal, measured: int(value), target: `≥ ${int(target)}`, met: value >= target };
}

/** The goals of issue 2 §14, per core of server CPU, against the measured phases. */
export function goalRows(m: MeasuredPhases): GoalRow[] {
  const rows = [
    perCore("(a) digest registrations, full flow /server-core-s", m.full, 15_000),
    perCore("(a) digest re-registrations (refresh) /server-core-s", m.refresh, 15_000),
    perCore("(b) plain REGISTERs /server-core-s", m.plain, 25_000),
    perCore("(c) new TLS connection + REGISTER /server-core-s", m.connect, 1_200),
  ];
  const p99 = m.paced && m.paced.result.ops > 0 ? m.paced.result.p99Ms : undefined;
  rows.push({
    goal: "(e) p99 latency at ~50% of saturation",
    measured: p99 === undefined ? "-" : `${p99.toFixed(2)} ms`,
    target: "< 10 ms",
    met: p99 === undefined ? undefined : p99 < 10,
  });
  rows.push(idleRow(m.idle));
  return rows;
}
