import { EVENT_FILTER_PATTERN } from "../../webhooks/index.js";

/** JSON Schemas of the call-event webhook (`/api/admin/webhook`). */
export const webhookBody = {
  type: "object",
  properties: {
    url: { type: "string", minLength: 1, maxLength: 2048, description: "absolute http: or https: URL" },
    secret: {
      type: "string",
      minLength: 1,
      maxLength: 512,
      description: "signs each POST (x-upe-signature: sha256=…); kept in memory, never returned",
    },
    events: {
      type: "array",
      minItems: 1,
      maxItems: 64,
      items: { type: "string", pattern: EVENT_FILTER_PATTERN },
      description: 'event types or families, e.g. ["call.*", "connector.unavailable"]; default every event',
    },
  },
  required: ["url"],
  additionalProperties: false,
} as const;

/** The secret is never part of it: only whether one is set. */
export const webhookStatusSchema = {
  type: "object",
  properties: {
    url: { type: ["string", "null"] },
    events: { type: ["array", "null"], items: { type: "string" } },
    secretSet: { type: "boolean" },
    queued: { type: "integer" },
    delivered: { type: "integer" },
    failed: { type: "integer" },
    dropped: { type: "integer" },
    lastError: { type: "string" },
    lastDeliveredAt: { type: "string", format: "date-time" },
  },
  required: ["url", "events", "secretSet", "queued", "delivered", "failed", "dropped"],
} as const;

export const testQueuedSchema = {
  type: "object",
  properties: { id: { type: "string" }, type: { type: "string" } },
  required: ["id", "type"],
} as const;
