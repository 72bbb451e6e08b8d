import type { FaultRule } from "../../faults/index.js";
import { iso, isoTime } from "./common.js";
import type { Reply } from "./type-provider.js";

/** Match, action and when are checked by the fault parser (one validator for REST, seeds and scenarios). */
const open = { type: "object", additionalProperties: true } as const;

export const faultRuleBody = {
  type: "object",
  description: "A fault rule (docs/faults.md). Unknown keys are reported with their path.",
  properties: {
    id: { type: "string", description: "optional; generated (f1, f2, …) when absent" },
    name: { type: "string" },
    description: { type: "string" },
    layer: { enum: ["sip", "tls", "http", "rtp", "stun", "csta"] },
    match: {
      ...open,
      description: "per layer: direction, method, status, trunk, tenant, user, headers, path…",
    },
    action: {
      ...open,
      properties: { type: { type: "string" } },
      required: ["type"],
      description: "respond, delay, drop, close, reset, corrupt, modify, refuse, stall, …",
    },
    when: {
      ...open,
      description: "firstN, everyNth, probability, seed, from, until (emulator clock), maxHits",
    },
  },
  required: ["layer", "action"],
} as const;

export const faultRuleSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    description: { type: "string" },
    layer: { enum: ["sip", "tls", "http", "rtp", "stun", "csta"] },
    match: open,
    action: open,
    when: open,
    hits: { type: "integer" },
    lastHitAt: isoTime,
    createdAt: { type: "string", format: "date-time" },
  },
  required: ["id", "layer", "match", "action", "when", "hits", "lastHitAt", "createdAt"],
} as const;

export const clearedSchema = {
  type: "object",
  properties: { removed: { type: "integer" } },
  required: ["removed"],
} as const;

/** Times as ISO 8601 on the emulator clock. */
export function faultJson(rule: FaultRule): Reply<typeof faultRuleSchema> {
  return { ...rule, lastHitAt: iso(rule.lastHitAt), createdAt: iso(rule.createdAt) };
}
