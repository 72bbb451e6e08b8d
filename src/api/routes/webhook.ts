import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors/index.js";
import type { WebhookDispatcher } from "../../webhooks/index.js";
import type { ApiContext } from "../api-context.js";
import { errorResponses } from "../schemas/common.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";
import { testQueuedSchema, webhookBody, webhookStatusSchema } from "../schemas/webhook.js";

/** What the webhook routes need of the API context. */
export interface WebhookRoutesContext {
  readonly auth: ApiContext["auth"];
  readonly webhook: Pick<WebhookDispatcher, "configure" | "clear" | "status" | "sendTest">;
}

/** The call-event webhook (docs/webhooks.md): one receiver, set and inspected at runtime. */
export function webhookRoutes(untyped: FastifyInstance, ctx: WebhookRoutesContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
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
    async (request) => ctx.webhook.configure(request.body),
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
