import type { Clock } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";
import { describeAction } from "./describe-action.js";
import { type AnyFaultContext, type CompiledMatch, compileMatch } from "./fault-matchers.js";
import type { FaultChecker, FaultDecision, FaultHitEvent, FaultPoint, FaultPoints } from "./fault-points.js";
import type { FaultRule, FaultRuleInput } from "./fault-rule.js";
import { FaultRuleError } from "./fault-rule-error.js";
import { FaultTargeting } from "./fault-targeting.js";
import { parseFaultRule } from "./parse-fault-rules.js";
import { newSeed } from "./seeded-random.js";

/** Streams remembered per rule for once-per-stream hit events, before the memory is reset. */
const MAX_REPORTED_KEYS = 1000;

interface Entry {
  rule: FaultRule;
  readonly compiled: CompiledMatch;
  readonly targeting: FaultTargeting;
  readonly reported: Set<string>;
}

/**
 * The fault rules in force and the one question every injection point asks: does a rule
 * hit this event, and what should happen? Rules are tried in the order they were added;
 * the first that hits decides. Runtime state, never part of the frozen config.
 */
export class FaultEngine implements FaultChecker {
  private readonly entries = new Map<string, Entry>();
  private readonly hits = new Listeners<FaultHitEvent>();
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  /** Validates and adds a rule; throws FaultRuleError (`fault_invalid`, `fault_id_taken`). */
  add(input: FaultRuleInput): FaultRule {
    const parsed = parseFaultRule(input);
    if (parsed.id !== undefined && this.entries.has(parsed.id)) {
      throw new FaultRuleError(
        [{ path: "id", segments: ["id"], message: `a fault with id "${parsed.id}" exists` }],
        "fault_id_taken",
      );
    }
    const id = parsed.id ?? this.freshId();
    const when = { ...parsed.when, seed: parsed.when?.seed ?? newSeed() };
    const rule = {
      ...parsed,
      id,
      match: parsed.match ?? {},
      when,
      hits: 0,
      lastHitAt: null,
      createdAt: this.clock.now(),
    } as FaultRule;
    this.entries.set(id, {
      rule,
      compiled: compileMatch(parsed),
      targeting: new FaultTargeting(when),
      reported: new Set(),
    });
    return rule;
  }

  remove(id: string): boolean {
    return this.entries.delete(id);
  }

  get(id: string): FaultRule | undefined {
    return this.entries.get(id)?.rule;
  }

  list(): FaultRule[] {
    return [...this.entries.values()].map((e) => e.rule);
  }

  /** Removes every rule; returns how many there were. */
  clear(): number {
    const count = this.entries.size;
    this.entries.clear();
    return count;
  }

  /** Subscribe to hits (the trace recorder does); returns an unsubscribe function. */
  onHit(listener: (event: FaultHitEvent) => void): () => void {
    return this.hits.on(listener);
  }

  hasRulesFor(point: FaultPoint): boolean {
    for (const entry of this.entries.values()) if (entry.compiled.points.includes(point)) return true;
    return false;
  }

  check<P extends FaultPoint>(point: P, context: FaultPoints[P]["context"]): FaultDecision<P> | undefined {
    for (const entry of this.entries.values()) {
      const { compiled, targeting } = entry;
      if (!compiled.points.includes(point) || !safeMatch(compiled, context)) continue;
      const action = entry.rule.action;
      const chance = action.type === "drop" && "percent" in action ? action.percent / 100 : 1;
      const now = this.clock.now();
      if (!targeting.decide(now, entry.rule.hits, chance)) continue;
      entry.rule = { ...entry.rule, hits: entry.rule.hits + 1, lastHitAt: now };
      this.report(entry, point, context, now);
      return {
        faultId: entry.rule.id,
        point,
        action: action as FaultPoints[P]["action"],
        random: targeting.random,
      };
    }
    return undefined;
  }

  private report(entry: Entry, point: FaultPoint, context: AnyFaultContext, at: number): void {
    const key = context.reportOncePer;
    if (key !== undefined) {
      if (entry.reported.has(key)) return;
      if (entry.reported.size >= MAX_REPORTED_KEYS) entry.reported.clear();
      entry.reported.add(key);
    }
    const { rule } = entry;
    const what = describeAction(rule.action);
    try {
      this.hits.emit({
        faultId: rule.id,
        ...(rule.name === undefined ? {} : { name: rule.name }),
        point,
        action: rule.action.type,
        detail: context.summary ? `${what}: ${context.summary}` : what,
        at,
        hits: rule.hits,
      });
    } catch {
      // A listener's failure must not break the SIP, TLS, HTTP or RTP path that asked.
    }
  }

  private freshId(): string {
    let id: string;
    do id = `f${this.nextId++}`;
    while (this.entries.has(id));
    return id;
  }
}

/** A matcher must never break the path it guards. */
function safeMatch(compiled: CompiledMatch, context: AnyFaultContext): boolean {
  try {
    return compiled.matches(context);
  } catch {
    return false;
  }
}
