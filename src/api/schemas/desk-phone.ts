/** Schemas of `/api/admin/tenants/{tid}/users/{uid}/desk-phone` (docs/cti.md). */

/** A dial string or SIP URI as CSTA carries it (the codec's value alphabet). */
const dialString = { type: "string", pattern: "^[A-Za-z0-9+*#@._:;=/-]{1,64}$" } as const;
const callId = { type: "string", pattern: "^[A-Za-z0-9+*#@._:;=/-]{1,64}$" } as const;

export const deskPhoneSchema = {
  type: "object",
  properties: {
    userId: { type: "string" },
    device: { type: "string", description: "the CSTA device: the user's callno" },
    cti: { enum: ["connected", "disconnected"], description: "whether the trunk's CSTA session is open" },
    monitored: { type: "boolean" },
    status: { enum: ["idle", "ringing", "connected", "held"] },
    calls: {
      type: "array",
      items: {
        type: "object",
        properties: {
          callId: { type: "string" },
          state: { enum: ["null", "initiated", "alerting", "connected", "hold", "queued", "fail"] },
        },
        required: ["callId", "state"],
      },
    },
    dnd: { type: "boolean" },
    forwarding: {
      type: "array",
      items: {
        type: "object",
        properties: {
          type: { type: "string" },
          active: { type: "boolean" },
          destination: { type: "string" },
        },
        required: ["type", "active"],
      },
    },
    updatedAt: { type: "string", format: "date-time" },
    result: { type: "object", properties: { callId: { type: "string" } } },
  },
  required: ["userId", "device", "cti", "monitored", "status", "calls", "dnd", "forwarding", "updatedAt"],
} as const;

const strict = { type: "object", additionalProperties: false } as const;

/** The body of each action, by the path's last segment. */
export const deskPhoneActionBodies = {
  "make-call": { ...strict, properties: { to: dialString }, required: ["to"] },
  answer: { ...strict, properties: { callId } },
  clear: { ...strict, properties: { callId } },
  hold: { ...strict, properties: { callId } },
  retrieve: { ...strict, properties: { callId } },
  transfer: {
    ...strict,
    properties: { to: dialString, callId, heldCallId: callId, activeCallId: callId },
    oneOf: [{ required: ["to"] }, { required: ["heldCallId", "activeCallId"] }],
  },
  deflect: { ...strict, properties: { to: dialString, callId }, required: ["to"] },
  consult: { ...strict, properties: { to: dialString, callId }, required: ["to"] },
  alternate: { ...strict, properties: { heldCallId: callId, activeCallId: callId } },
  "monitor-stop": { ...strict, properties: {} },
  dnd: { ...strict, properties: { on: { type: "boolean" } }, required: ["on"] },
  forwarding: {
    ...strict,
    properties: {
      type: { enum: ["forwardImmediate", "forwardBusy", "forwardNoAns", "forwardDND"] },
      active: { type: "boolean" },
      destination: dialString,
    },
    required: ["type", "active"],
  },
} as const;

export type DeskPhoneActionName = keyof typeof deskPhoneActionBodies;
