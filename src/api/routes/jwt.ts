import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";

/** JWT creation portal and tenant JWT. */
export function jwtRoutes(_app: FastifyInstance, _ctx: ApiContext): void {}
