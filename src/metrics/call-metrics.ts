import { Counter, Histogram, type Registry } from "prom-client";
import type { CallEventNotice } from "../b2bua/index.js";
import type { Listeners } from "../shared/listeners.js";
import { collectedGauge } from "./collected.js";

/** What the metrics read of a call from the journal. */
export interface CallFacts {
  readonly direction: string;
  readonly answeredAt: number | null;
  readonly finalStatus: number | null;
}

export interface CallSources {
  readonly events: Pick<Listeners<CallEventNotice>, "on">;
  readonly call: (callId: string) => CallFacts | undefined;
  readonly activeCalls: () => Iterable<CallFacts>;
  /** Monotonic seconds (setup time is real time, whatever the emulator clock does). */
  readonly now?: () => number;
}

export const CALL_OUTCOMES = [
  "answered",
  "busy",
  "declined",
  "cancelled",
  "unavailable",
  "redirected",
  "failed",
  "abandoned",
] as const;

export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** How an ended call went: answered, or why not (by the final status of its INVITE). */
export function callOutcome(call: Pick<CallFacts, "answeredAt" | "finalStatus">): CallOutcome {
  if (call.answeredAt !== null) return "answered";
  const status = call.finalStatus;
  if (status === null) return "abandoned";
  if (status === 486 || status === 600) return "busy";
  if (status === 603) return "declined";
  if (status === 487) return "cancelled";
  if (status === 480 || status === 408) return "unavailable";
  if (status >= 300 && status < 400) return "redirected";
  return "failed";
}

/** Most calls set up at once that the setup-time clock follows; beyond, a call is not timed. */
const MAX_TIMED_SETUPS = 100_000;
const DIRECTIONS = ["pbx-to-user", "user-to-pbx"];

/** Calls started, ended by outcome, active, and the time from INVITE to answer. */
export function callMetrics(registry: Registry, sources: CallSources): void {
  const now = sources.now ?? (() => performance.now() / 1000);
  const started = new Counter({
    name: "upe_calls_started_total",
    help: "Calls through the connector, by direction (pbx-to-user, user-to-pbx)",
    labelNames: ["direction"],
    registers: [registry],
  });
  const ended = new Counter({
    name: "upe_calls_ended_total",
    help: "Calls ended, by direction and outcome (answered, busy, declined, cancelled, unavailable, redirected, failed, abandoned)",
    labelNames: ["direction", "outcome"],
    registers: [registry],
  });
  const setup = new Histogram({
    name: "upe_call_setup_seconds",
    help: "Time from the INVITE to the answer of answered calls (real time)",
    labelNames: ["direction"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
    registers: [registry],
  });
  for (const direction of DIRECTIONS) started.inc({ direction }, 0);
  collectedGauge(registry, {
    name: "upe_calls_active",
    help: "Calls in progress now (set up or answered), by direction",
    labelNames: ["direction"],
    read: () => {
      const active = new Map(DIRECTIONS.map((d) => [d, 0]));
      for (const call of sources.activeCalls())
        active.set(call.direction, (active.get(call.direction) ?? 0) + 1);
      return [...active].map(([direction, n]) => [[direction], n] as const);
    },
  });

  const invitedAt = new Map<string, number>();
  sources.events.on(({ callId, type }) => {
    if (type !== "invite" && type !== "answered" && type !== "ended") return;
    const call = sources.call(callId);
    if (!call) return;
    const direction = call.direction;
    if (type === "invite") {
      started.inc({ direction });
      if (invitedAt.size < MAX_TIMED_SETUPS) invitedAt.set(callId, now());
    } else if (type === "answered") {
      const at = invitedAt.get(callId);
      if (at !== undefined) setup.observe({ direction }, now() - at);
      invitedAt.delete(callId);
    } else {
      invitedAt.delete(callId);
      ended.inc({ direction, outcome: callOutcome(call) });
    }
  });
}
