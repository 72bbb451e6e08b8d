export type { ApiContext } from "./api-context.js";
export { authHooks } from "./auth-hooks.js";
export { buildHttpApp } from "./http-server.js";
export type { MetricsEndpoint } from "./routes/metrics.js";
export type * from "./schemas/json-types.js";
