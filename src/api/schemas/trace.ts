import type { FromSchema } from "json-schema-to-ts";

/** JSON Schemas of the trace export (`/api/admin/trace`). */

export const traceQuery = {
  type: "object",
  properties: {
    format: {
      enum: ["json", "text", "pcap"],
      description:
        "json (default): entries; text: a readable ladder; pcap: libpcap file for Wireshark/tshark",
    },
    callId: {
      type: "string",
      minLength: 1,
      maxLength: 256,
      description:
        "a SIP Call-ID or an emulator call id (call-000001): its SIP messages, call events and fault hits",
    },
    trunk: { type: "string", minLength: 1, maxLength: 128, description: "trunk id or name" },
    tenant: { type: "string", minLength: 1, maxLength: 64, description: "tenant id" },
    since: {
      type: "string",
      anyOf: [{ pattern: "^[0-9]{1,15}$" }, { format: "date-time" }],
      description: "entries at or after this emulator time: ISO 8601 or epoch ms",
    },
    kind: {
      type: "string",
      pattern:
        "^(?:sip|http|call|fault|connection|unmatched|csta)(?:,(?:sip|http|call|fault|connection|unmatched|csta))*$",
      description: "comma-separated entry kinds (default all)",
    },
    limit: {
      type: "string",
      pattern: "^[1-9][0-9]{0,6}$",
      description: "keep the newest N matching entries (default all in the buffer)",
    },
  },
  additionalProperties: false,
} as const;

export type TraceQuery = FromSchema<typeof traceQuery>;

const endpoint = {
  type: "object",
  properties: { address: { type: "string" }, port: { type: "integer" } },
  required: ["address", "port"],
} as const;

/**
 * One entry; `kind` says which fields it has (see docs/traces.md). Every kind has seq, at
 * (emulator clock ms), wallAt (Date.now()).
 */
export const traceEntrySchema = {
  type: "object",
  properties: {
    seq: { type: "integer" },
    kind: { enum: ["sip", "http", "call", "fault", "connection", "unmatched", "csta"] },
    at: { type: "integer" },
    wallAt: { type: "integer" },
    // sip, connection
    connectionId: { type: "string" },
    transport: { type: "string" },
    local: endpoint,
    peer: endpoint,
    tenantId: { type: "string" },
    trunkId: { type: "string" },
    trunkName: { type: "string" },
    // sip
    direction: { enum: ["in", "out"] },
    size: { type: "integer" },
    message: { type: "string" },
    summary: {
      type: "object",
      properties: {
        startLine: { type: "string" },
        method: { type: "string" },
        status: { type: "integer" },
        reason: { type: "string" },
        callId: { type: "string" },
        cseq: { type: "string" },
      },
      required: ["startLine"],
    },
    // connection
    event: { enum: ["opened", "closed"] },
    reason: { type: "string" },
    // http
    method: { type: "string" },
    path: { type: "string" },
    route: { type: "string" },
    status: { type: "integer" },
    latencyMs: { type: "number" },
    requestId: { type: "string" },
    // call, fault
    callId: { type: "string" },
    type: { type: "string" },
    detail: { type: "string" },
    sipCallIds: { type: "array", items: { type: "string" } },
    // fault
    faultId: { type: "string" },
    point: { type: "string" },
    action: { type: "string" },
    // unmatched (the full message is in `message`)
    unmatchedId: { type: "string" },
    protocol: { enum: ["http", "sip"] },
    target: { type: "string" },
    answeredBy: { type: "string" },
  },
  required: ["seq", "kind", "at", "wallAt"],
  // Fields a fault engine adds to its hits must survive serialisation.
  additionalProperties: true,
} as const;

export const traceJsonSchema = {
  type: "object",
  properties: {
    buffer: {
      type: "object",
      properties: {
        capacity: { type: "integer" },
        size: { type: "integer" },
        recorded: { type: "integer", description: "entries recorded since start (last seq)" },
        dropped: { type: "integer", description: "entries overwritten since the last clear" },
      },
      required: ["capacity", "size", "recorded", "dropped"],
    },
    entries: { type: "array", items: traceEntrySchema },
  },
  required: ["buffer", "entries"],
} as const;
