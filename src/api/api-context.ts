import type { onRequestAsyncHookHandler } from "fastify";
import type { Logger } from "pino";
import type { CtiService } from "../cti/index.js";
import type { FaultEngine } from "../faults/index.js";
import type { ScenarioRunner } from "../scenarios/index.js";
import type {
  CallService,
  ClientCredentialService,
  ClientRegistrationSource,
  ClientSessionService,
  ClockService,
  ConnectorService,
  DiagnoseService,
  JwtService,
  MaintenanceService,
  MwiService,
  PresenceService,
  TenantService,
  UnmatchedCapture,
  UserService,
} from "../services/index.js";
import type { Readiness } from "../shared/readiness.js";
import type { StubEngine } from "../stubs/index.js";
import type { TraceRecorder } from "../traces/index.js";
import type { WebhookDispatcher } from "../webhooks/index.js";
import type { LiveSources } from "./event-hub.js";
import type { MetricsEndpoint } from "./routes/metrics.js";

/** Everything a route module may use: services (never the store or SIP directly) and auth hooks. */
export interface ApiContext {
  readonly log: Logger;
  readonly readiness: Readiness;
  readonly startedAt: number;
  readonly auth: {
    readonly requireAdmin: onRequestAsyncHookHandler;
    readonly requireApiKey: onRequestAsyncHookHandler;
  };
  readonly tenants: TenantService;
  readonly clock: ClockService;
  /** The registrar's planned-outage window. */
  readonly maintenance: MaintenanceService;
  readonly jwt: JwtService;
  readonly users: UserService;
  readonly connector: ConnectorService;
  readonly calls: CallService;
  /** Users' desk phones over the trunk's CSTA session (`/users/{id}/desk-phone`); no such routes when absent. */
  readonly cti?: CtiService;
  /** Users' voicemail indication (`/users/{id}/mwi`); no such route when absent. */
  readonly mwi?: MwiService;
  /** Users' DND and busy, app and desk phone in sync (`/users/{id}/presence`); no such route when absent. */
  readonly presence?: PresenceService;
  readonly diagnose: DiagnoseService;
  readonly clientCredentials: ClientCredentialService;
  /** The registered Unify Phone clients per user (GET …/users/{userId}/registrations). */
  readonly clientRegistrations?: ClientRegistrationSource;
  /** The browser phone's sign-in and sessions (`/api/client/*`) and the SIP domain it registers in. */
  readonly clientPhone?: { readonly sessions: ClientSessionService; readonly domain: string };
  readonly trace: TraceRecorder;
  readonly faults: FaultEngine;
  readonly scenarios: ScenarioRunner;
  readonly webhook: WebhookDispatcher;
  /** Connector status and call events for the live event stream (`GET /api/admin/events`). */
  readonly live: LiveSources;
  /** The unmatched journal: requests no route takes are captured and answered there (stub or 404). */
  readonly unmatched?: UnmatchedCapture;
  /** `GET /metrics` and the HTTP request metrics; no such route when absent. */
  readonly metrics?: MetricsEndpoint;
  /** The user's stub mappings (`/api/admin/mappings`); no such routes when absent. */
  readonly stubs?: StubEngine;
  /** For HTTP faults matched by tenant: the tenant an X-API-Key belongs to. */
  readonly tenantByApiKey: (apiKey: string) => { readonly id: string; readonly name: string } | undefined;
}
