import type { FastifyInstance } from "fastify";
import type { ApiContext } from "./api-context.js";
import { declareSecurity } from "./plugins/openapi-security.js";
import { callRoutes } from "./routes/calls.js";
import { clientCredentialRoutes } from "./routes/client-credentials.js";
import { clientPhoneRoutes } from "./routes/client-phone.js";
import { clockRoutes } from "./routes/clock.js";
import { connectorRoutes } from "./routes/connector.js";
import { deskPhoneRoutes } from "./routes/desk-phone.js";
import { diagnoseRoutes } from "./routes/diagnose.js";
import { eventRoutes } from "./routes/events.js";
import { faultRoutes } from "./routes/faults.js";
import { healthRoutes } from "./routes/health.js";
import { jwtRoutes } from "./routes/jwt.js";
import { maintenanceRoutes } from "./routes/maintenance.js";
import { mappingRoutes } from "./routes/mappings.js";
import { metricsRoutes } from "./routes/metrics.js";
import { mwiRoutes } from "./routes/mwi.js";
import { phoneRoutes } from "./routes/phone.js";
import { presenceRoutes } from "./routes/presence.js";
import { scenarioRoutes } from "./routes/scenarios.js";
import { tenantRoutes } from "./routes/tenants.js";
import { traceRoutes } from "./routes/trace.js";
import { unmatchedRoutes } from "./routes/unmatched.js";
import { userRoutes } from "./routes/users.js";
import { webUiRoutes } from "./routes/web-ui.js";
import { webhookRoutes } from "./routes/webhook.js";

/** Every HTTP route of the emulator, registered in one place so one read shows the API. */
export function registerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  declareSecurity(app, ctx.auth);
  // GET /metrics, and the request counts of every route.
  if (ctx.metrics) metricsRoutes(app, { auth: ctx.auth, metrics: ctx.metrics });
  eventRoutes(app, ctx);
  healthRoutes(app, ctx);
  tenantRoutes(app, ctx);
  clockRoutes(app, ctx);
  maintenanceRoutes(app, ctx);
  jwtRoutes(app, ctx);
  userRoutes(app, ctx);
  connectorRoutes(app, ctx);
  callRoutes(app, ctx);
  if (ctx.cti) deskPhoneRoutes(app, { auth: ctx.auth, users: ctx.users, cti: ctx.cti });
  if (ctx.mwi) mwiRoutes(app, { auth: ctx.auth, users: ctx.users, mwi: ctx.mwi });
  if (ctx.presence) presenceRoutes(app, { auth: ctx.auth, users: ctx.users, presence: ctx.presence });
  diagnoseRoutes(app, ctx);
  faultRoutes(app, ctx);
  if (ctx.stubs) mappingRoutes(app, { auth: ctx.auth, stubs: ctx.stubs });
  scenarioRoutes(app, ctx);
  traceRoutes(app, ctx);
  clientCredentialRoutes(app, ctx);
  webhookRoutes(app, ctx);
  if (ctx.unmatched) unmatchedRoutes(app, { auth: ctx.auth, unmatched: ctx.unmatched });
  if (ctx.clientPhone) {
    const now = () => ctx.clock.state().now;
    const presence = ctx.presence ? { presence: ctx.presence } : {};
    clientPhoneRoutes(app, { ...ctx.clientPhone, calls: ctx.calls, now, ...presence });
  }
  webUiRoutes(app);
  phoneRoutes(app);
}
