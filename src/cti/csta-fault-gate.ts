import type { CstaFaultAction, FaultPoint } from "../faults/index.js";
import type { CstaMessage } from "./csta/index.js";
import type { CtiFaults } from "./cti-ports.js";

type CstaPoint = Extract<FaultPoint, `csta.${string}`>;

/**
 * Asks the `layer: csta` fault rules (docs/faults.md) about one CSTA step of a trunk's session:
 * the session INVITE, a request the connector sends, an event the PBX sent. Undefined: no rule
 * hit (or no rules at all, checked before any context is built).
 */
export function cstaFault(
  faults: CtiFaults | undefined,
  point: CstaPoint,
  trunkId: string,
  message: CstaMessage | undefined,
): { faultId: string; action: CstaFaultAction } | undefined {
  if (!faults?.checker.hasRulesFor(point)) return undefined;
  const service = message?.type ?? "session";
  const devices = message ? devicesOf(message) : [];
  const subjects = faults.subjects(trunkId, devices);
  const decision = faults.checker.check(point, {
    service,
    ...subjects,
    summary: `${service}${devices.length > 0 ? ` (${devices.join(", ")})` : ""} on trunk ${subjects.trunk[1] ?? trunkId}`,
  });
  return decision && { faultId: decision.faultId, action: decision.action };
}

/** Device keys of ECMA-323 messages: subject devices, event parties, connection devices. */
const DEVICE_KEY = /(Device|Object)$|^device(ID)?$/;

/** The devices a message names (its fields are at most two levels deep), without repeats. */
export function devicesOf(message: CstaMessage): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, key: string, depth: number): void => {
    if (typeof value === "string") {
      if (DEVICE_KEY.test(key)) found.add(value);
    } else if (value !== null && typeof value === "object" && depth < 3) {
      for (const [k, v] of Object.entries(value)) visit(v, Array.isArray(value) ? key : k, depth + 1);
    }
  };
  visit(message, "", 0);
  return [...found];
}
