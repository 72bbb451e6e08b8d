import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors/index.js";
import {
  formatScenarioIssue,
  ScenarioError,
  ScenarioNotFoundError,
  type ScenarioRunner,
} from "../../scenarios/index.js";
import type { ApiContext } from "../api-context.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { errorResponses } from "../schemas/common.js";
import { pagedArray, pagedQuery } from "../schemas/paging.js";
import {
  scenarioAppliedJson,
  scenarioAppliedSchema,
  scenarioJson,
  scenarioParams,
  scenarioSchema,
  scenarioSummarySchema,
} from "../schemas/scenarios.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** What the scenario routes need of the API context. */
export interface ScenarioRoutesContext {
  readonly auth: ApiContext["auth"];
  readonly scenarios: ScenarioRunner;
}

/** The vendor-FAQ scenarios (SPEC §3.4): list them, read one, apply one at runtime. */
export function scenarioRoutes(untyped: FastifyInstance, ctx: ScenarioRoutesContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: scenarios"];

  app.get(
    "/api/admin/scenarios",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary: "The scenarios of scenarios/*.yaml, one per vendor-FAQ connector fault; paged",
        querystring: pagedQuery(),
        response: { 200: pagedArray(scenarioSummarySchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => pageOfArray(reply, ctx.scenarios.catalog.list(), request.query),
  );

  app.get(
    "/api/admin/scenarios/:name",
    {
      ...admin,
      schema: {
        tags,
        summary: "One scenario: symptom, cause, seed, clock, faults, expected outcome, how to run it",
        params: scenarioParams,
        response: { 200: scenarioSchema, ...errorResponses(401, 404, 422) },
      },
    },
    async (request) => {
      const { name } = request.params;
      return scenarioJson(await answer(() => ctx.scenarios.catalog.load(name)));
    },
  );

  app.post(
    "/api/admin/scenarios/:name/apply",
    {
      ...admin,
      schema: {
        tags,
        summary:
          "Apply a scenario now: its seed (idempotent), JWT states, clock, registrar policy; its faults replace those of the previous scenario",
        params: scenarioParams,
        response: { 200: scenarioAppliedSchema, ...errorResponses(401, 404, 422) },
      },
    },
    async (request) => {
      const { name } = request.params;
      // Loaded by name from the catalog: a request never names a file path.
      const scenario = await answer(() => ctx.scenarios.catalog.load(name));
      return scenarioAppliedJson(await answer(() => ctx.scenarios.apply(scenario)));
    },
  );
}

/** Scenario errors as problem+json: 404 scenario_not_found, 422 scenario_invalid naming file:line. */
async function answer<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw toApiError(error);
  }
}

function toApiError(error: unknown): unknown {
  if (error instanceof ScenarioNotFoundError) return new ApiError("scenario_not_found", error.message);
  if (error instanceof ScenarioError) {
    return new ApiError("scenario_invalid", error.message, {
      errors: error.issues.map((i) => ({
        field: i.path === "" ? "(file)" : i.path,
        code: "invalid",
        message: formatScenarioIssue(i, error.file),
      })),
    });
  }
  return error;
}
