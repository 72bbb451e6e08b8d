import type { ClockState } from "../../services/index.js";
import type { Reply } from "./type-provider.js";

/** JSON Schemas of the emulator clock (`/api/admin/clock`). */
export const clockSchema = {
  type: "object",
  properties: {
    now: { type: "string", format: "date-time" },
    epochMs: { type: "integer" },
    frozen: { type: "boolean" },
    offsetMs: { type: "integer" },
  },
  required: ["now", "epochMs", "frozen", "offsetMs"],
} as const;

export const setClockBody = {
  type: "object",
  properties: { now: { type: ["string", "integer"] }, frozen: { type: "boolean" } },
  additionalProperties: false,
  minProperties: 1,
} as const;

export const advanceClockBody = {
  type: "object",
  properties: { by: { type: ["string", "integer"] } },
  required: ["by"],
  additionalProperties: false,
} as const;

export function clockJson(s: ClockState): Reply<typeof clockSchema> {
  return {
    now: new Date(s.now).toISOString(),
    epochMs: s.now,
    frozen: s.frozen,
    offsetMs: Math.round(s.offsetMs),
  };
}
