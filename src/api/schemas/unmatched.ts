const headerPairs = {
  type: "array",
  description:
    "header name/value pairs as received; credentials replaced by e.g. `Bearer …(redacted, 37 chars)`",
  items: { type: "array", items: { type: "string" }, minItems: 2, maxItems: 2 },
} as const;

/** One captured request (docs/unmatched.md); `kind` says which of the kind-specific fields it has. */
export const unmatchedEntrySchema = {
  type: "object",
  properties: {
    id: { type: "string", description: "um_<n>; also in the answer (unmatchedId / SIP Warning)" },
    kind: { enum: ["http", "sip"] },
    at: { type: "string", format: "date-time", description: "emulator clock" },
    epochMs: { type: "integer" },
    method: { type: "string" },
    headers: headerPairs,
    body: { type: "string", description: "secrets replaced; cut at --unmatched-body-limit bytes" },
    bodyBytes: { type: "integer", description: "body size as received" },
    bodyTruncated: { type: "boolean" },
    contentType: { type: "string" },
    tenantId: {
      type: "string",
      description: "the tenant of the X-API-Key (HTTP) or of the registered trunk (SIP)",
    },
    status: { type: "integer", description: "the status it was answered with" },
    answeredBy: {
      description: '"default", or the stub mapping that answered',
      anyOf: [
        { const: "default" },
        { type: "object", properties: { mappingId: { type: "string" } }, required: ["mappingId"] },
      ],
    },
    // http
    path: { type: "string" },
    query: {
      type: "object",
      additionalProperties: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    },
    remoteAddress: { type: "string" },
    // sip
    requestUri: { type: "string" },
    reason: { type: "string" },
    cause: { type: "string", description: "why the emulator does not handle it" },
    event: { type: "string" },
    transport: { type: "string" },
    connectionId: { type: "string" },
    remotePort: { type: "integer" },
    trunkId: { type: "string" },
    trunkUsername: { type: "string" },
  },
  required: [
    "id",
    "kind",
    "at",
    "epochMs",
    "method",
    "headers",
    "body",
    "bodyBytes",
    "bodyTruncated",
    "status",
    "answeredBy",
  ],
} as const;

export const unmatchedFilter = {
  properties: {
    kind: { enum: ["http", "sip"], description: "only HTTP or only SIP requests" },
  },
} as const;

export const unmatchedClearedSchema = {
  type: "object",
  properties: { removed: { type: "integer" } },
  required: ["removed"],
} as const;
