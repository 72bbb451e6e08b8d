/** JSON Schemas of the liveness and readiness probes (`/healthz`, `/readyz`). */
export const liveSchema = {
  type: "object",
  properties: { status: { const: "ok" }, uptimeSeconds: { type: "number" } },
  required: ["status", "uptimeSeconds"],
} as const;

const componentSchema = {
  type: "object",
  properties: { state: { type: "string" }, detail: { type: "string" } },
  required: ["state"],
} as const;

/** A fresh object per use: the 2xx and the 5xx answer each get their own. */
export function readySchema() {
  return {
    type: "object",
    properties: {
      status: { enum: ["ready", "not_ready"] },
      components: { type: "object", additionalProperties: componentSchema },
    },
    required: ["status", "components"],
  } as const;
}
