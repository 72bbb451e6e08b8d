import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors/index.js";
import { EVENT_FILTER_PATTERN, type WebhookDispatcher, type WebhookInput } from "../../webhooks/index.js";
import type { ApiContext } from "../api-context.js";
import { errorResponses } from "../schemas/common.js";

/** What the webhook routes need of the API context. */
export interface WebhookRoutesContext {
  readonly auth: ApiContext["auth"];
  readonly webhook: Pick<WebhookDispatcher, "configure" | "clear" | "status" | "sendTest">;
}

const webhookBody = {
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
const webhookStatusSchema = {
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

const testQueuedSchema = {
  type: "object",
  properties: { id: { type: "string" }, type: { type: "string" } },
  required: ["id", "type"],
} as const;

/** The call-event webhook (docs/webhooks.md): one receiver, set and inspected at runtime. */
export function webhookRoutes(app: FastifyInstance, ctx: WebhookRoutesContext): void {
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: webhook"];

  app.get(
    "/api/admin/webhook",
    {
      ...admin,
      schema: {
        tags,
        summary: "The webhook and its delivery counters (url null when none is set)",
        response: { 200: webhookStatusSchema, ...errorResponses(401) },
      },
    },
    async () => ctx.webhook.status(),
  );

  app.put(
    "/api/admin/webhook",
    {
      ...admin,
      schema: {
        tags,
        summary: "Set the webhook: call and connector events are POSTed there from now on",
        body: webhookBody,
        response: { 200: webhookStatusSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => ctx.webhook.configure(request.body as WebhookInput),
  );

  app.delete(
    "/api/admin/webhook",
    {
      ...admin,
      schema: {
        tags,
        summary: "Remove the webhook; queued events are dropped",
        response: { 204: { type: "null" }, ...errorResponses(401) },
      },
    },
    async (_request, reply) => {
      ctx.webhook.clear();
      reply.code(204);
    },
  );

  app.post(
    "/api/admin/webhook/test",
    {
      ...admin,
      schema: {
        tags,
        summary: "Queue a webhook.test event, to check the receiver",
        response: { 202: testQueuedSchema, ...errorResponses(401, 409) },
      },
    },
    async (_request, reply) => {
      const id = ctx.webhook.sendTest();
      if (id === undefined) {
        throw new ApiError("webhook_not_configured", "no webhook is set: PUT /api/admin/webhook first");
      }
      reply.code(202);
      return { id, type: "webhook.test" };
    },
  );
}
