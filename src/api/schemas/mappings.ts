/** The mapping parser (one for files and REST, src/stubs) checks the details; the schema the outline. */
const open = { type: "object", additionalProperties: true } as const;

export const mappingBody = {
  type: "object",
  description: "A stub mapping (docs/stubs.md): request (HTTP) or sip match, response, optional actions.",
  additionalProperties: true,
  properties: {
    id: { type: "string", description: "optional on POST; generated (m-…) when absent" },
    name: { type: "string" },
    priority: { type: "integer" },
    enabled: { type: "boolean" },
    request: {
      ...open,
      description: "method, path (exact or {template}) or pathPattern, query, headers, body",
    },
    sip: { ...open, description: "method, event, contentType, requestUri (regex)" },
    response: { ...open, description: "status, headers, body or jsonBody (templates), delayMs, fault" },
    actions: { type: "array", items: open },
  },
  required: ["response"],
} as const;

export const mappingSchema = {
  type: "object",
  additionalProperties: true,
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    kind: { enum: ["http", "sip"] },
    priority: { type: "integer" },
    enabled: { type: "boolean" },
    request: open,
    sip: open,
    response: open,
    actions: { type: "array", items: open },
    source: { type: "string", description: 'the mapping file it was read from, or "api"' },
    version: { type: "integer", description: "1 when added, +1 on each PUT; answeredBy names it as id@vN" },
    hits: { type: "integer", description: "requests it answered since it was added, replaced or reset" },
  },
  required: ["id", "kind", "priority", "enabled", "response", "source", "version", "hits"],
} as const;

export const resetHitsSchema = {
  type: "object",
  properties: { mappings: { type: "integer", description: "mappings whose hits went back to 0" } },
  required: ["mappings"],
} as const;
