import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";
import { advanceClockBody, clockJson, clockSchema, setClockBody } from "../schemas/clock.js";
import { errorResponses } from "../schemas/common.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** Emulator control: the clock every expiry follows (bindings, nonces, JWT status). */
export function clockRoutes(untyped: FastifyInstance, ctx: ApiContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
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
        body: setClockBody,
        response: { 200: clockSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => clockJson(ctx.clock.set(request.body)),
  );

  app.post(
    "/api/admin/clock/advance",
    {
      ...admin,
      schema: {
        tags,
        summary: 'Move time forward by a duration ("31d", "2h30m", "PT90S" or ms), firing what falls due',
        body: advanceClockBody,
        response: { 200: clockSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => clockJson(ctx.clock.advance(request.body.by)),
  );
}
