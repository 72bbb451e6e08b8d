import type { FastifyInstance } from "fastify";
import type { ClockState } from "../../services/index.js";
import type { ApiContext } from "../api-context.js";
import { errorResponses } from "../schemas/common.js";

const clockSchema = {
  type: "object",
  properties: {
    now: { type: "string", format: "date-time" },
    epochMs: { type: "integer" },
    frozen: { type: "boolean" },
    offsetMs: { type: "integer" },
  },
  required: ["now", "epochMs", "frozen", "offsetMs"],
} as const;

function clockJson(s: ClockState) {
  return {
    now: new Date(s.now).toISOString(),
    epochMs: s.now,
    frozen: s.frozen,
    offsetMs: Math.round(s.offsetMs),
  };
}

/** Emulator control: the clock every expiry follows (bindings, nonces, JWT status). */
export function clockRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: emulator control"];

  app.get(
    "/api/admin/clock",
    {
      ...admin,
      schema: { tags, summary: "Emulator time", response: { 200: clockSchema, ...errorResponses(401) } },
    },
    async () => clockJson(ctx.clock.state()),
  );

  app.put(
    "/api/admin/clock",
    {
      ...admin,
      schema: {
        tags,
        summary: "Set the time (ISO 8601 or epoch ms) and/or freeze it; setting it back is allowed",
        body: {
          type: "object",
          properties: { now: { type: ["string", "integer"] }, frozen: { type: "boolean" } },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: clockSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => clockJson(ctx.clock.set(request.body as { now?: string | number; frozen?: boolean })),
  );

  app.post(
    "/api/admin/clock/advance",
    {
      ...admin,
      schema: {
        tags,
        summary: 'Move time forward by a duration ("31d", "2h30m", "PT90S" or ms), firing what falls due',
        body: {
          type: "object",
          properties: { by: { type: ["string", "integer"] } },
          required: ["by"],
          additionalProperties: false,
        },
        response: { 200: clockSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => clockJson(ctx.clock.advance((request.body as { by: string | number }).by)),
  );
}
