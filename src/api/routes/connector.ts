import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";

/** PBX side (X-API-Key): provisioning and the user instance wizard. */
export function connectorRoutes(_app: FastifyInstance, _ctx: ApiContext): void {}
