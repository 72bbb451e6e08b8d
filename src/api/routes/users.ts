import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";

/** Admin side: users of a tenant, import and export. */
export function userRoutes(_app: FastifyInstance, _ctx: ApiContext): void {}
