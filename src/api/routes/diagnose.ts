import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";
import { errorResponses, idParam } from "../schemas/common.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

const trunkSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    systemId: { type: "string" },
    username: { type: "string" },
    status: { enum: ["available", "unavailable"] },
    lines: { type: "object", properties: { inUse: { type: "integer" }, limit: { type: "integer" } } },
    problems: { type: "array", items: { type: "string" } },
    notes: { type: "array", items: { type: "string" } },
  },
} as const;

const diagnosisSchema = {
  type: "object",
  properties: {
    tenantId: { type: "string" },
    name: { type: "string" },
    flavour: { type: "string" },
    checkedAt: { type: "string", format: "date-time" },
    ok: { type: "boolean" },
    problems: {
      type: "array",
      items: { type: "string" },
      description: "what is wrong right now, tenant and trunks",
    },
    warnings: {
      type: "array",
      items: { type: "string" },
      description: "nothing is wrong yet, but will be (a JWT about to expire); ok stays true",
    },
    notes: { type: "array", items: { type: "string" } },
    trunks: { type: "array", items: trunkSchema },
  },
  required: ["ok", "problems", "warnings", "trunks"],
} as const;

/** Like the PBX's Diagnose page: what is wrong right now, per trunk, in plain words. */
export function diagnoseRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ApiTypeProvider>().get(
    "/api/admin/tenants/:tenantId/diagnose",
    {
      onRequest: ctx.auth.requireAdmin,
      schema: {
        tags: ["admin: tenants"],
        summary: "What is wrong right now with the tenant's connectors, JWT and lines",
        params: idParam("tenantId"),
        response: { 200: diagnosisSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      ctx.tenants.get(tenantId);
      const d = ctx.diagnose.diagnose(tenantId);
      return { ...d, checkedAt: new Date(d.checkedAt).toISOString() };
    },
  );
}
