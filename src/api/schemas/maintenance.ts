import type { MaintenanceState } from "../../services/index.js";
import type { Reply } from "./type-provider.js";

/** JSON Schemas of the registrar's maintenance window (`/api/admin/maintenance`). */
export const maintenanceSchema = {
  type: "object",
  properties: {
    window: {
      type: ["object", "null"],
      properties: {
        from: { type: "string", format: "date-time" },
        until: { type: "string", format: "date-time" },
      },
      required: ["from", "until"],
      description: "emulator clock; null when none is set",
    },
    open: { type: "boolean", description: "REGISTERs are answered 503 now" },
    retryAfter: {
      type: ["integer", "null"],
      description: "the Retry-After (seconds) a REGISTER gets now; null outside the window",
    },
  },
  required: ["window", "open", "retryAfter"],
} as const;

const timeOrMs = { type: ["string", "integer"] } as const;

export const setMaintenanceBody = {
  type: "object",
  properties: {
    from: { ...timeOrMs, description: "start: ISO 8601 or epoch ms (emulator clock)" },
    startsIn: { ...timeOrMs, description: 'start: a duration from now ("10m", "PT90S") or ms; default now' },
    until: { ...timeOrMs, description: "end: ISO 8601 or epoch ms" },
    lasts: { ...timeOrMs, description: 'end: a duration from the start ("2h") or ms' },
  },
  additionalProperties: false,
} as const;

export function maintenanceJson(s: MaintenanceState): Reply<typeof maintenanceSchema> {
  return {
    window: s.window && {
      from: new Date(s.window.from).toISOString(),
      until: new Date(s.window.until).toISOString(),
    },
    open: s.open,
    retryAfter: s.retryAfter,
  };
}
