import { HttpTransport } from "./http-transport.js";
import type {
  ClockAdvanceInput,
  ClockInput,
  ClockJson,
  ConnectorJson,
  ImportResultJson,
  LiveJson,
  MintedTokenJson,
  Page,
  PortalTokenInput,
  PortalTokenJson,
  ProvisionInput,
  ReadyJson,
  SystemJson,
  TenantInput,
  TenantJson,
  TenantJwtJson,
  UserInput,
  UserJson,
  UserListQuery,
  UserPageJson,
  UserPatch,
  WebhookInput,
  WebhookJson,
  WebhookTestJson,
  WizardAssignmentInput,
  WizardNewUserInput,
  WizardUserJson,
  WizardUserQuery,
} from "./types.js";

export interface EmulatorClientOptions {
  /** e.g. "https://127.0.0.1:8443" (the in-process handle's `urls.https`). */
  readonly baseUrl: string;
  /** PEM of `certs/ca.pem`, to verify the emulator's certificate. */
  readonly ca?: string | Buffer;
  /** For the admin side and the JWT portal. */
  readonly adminToken?: string;
  /** For the PBX side (a tenant's API key); see also `asPbx(apiKey)`. */
  readonly apiKey?: string;
}

const enc = encodeURIComponent;

/**
 * Typed client of the emulator's REST API (SPEC §3.2). Non-2xx answers throw
 * `EmulatorApiError` carrying the problem+json body and its `code`.
 */
export class EmulatorClient {
  private readonly http: HttpTransport;

  constructor(private readonly options: EmulatorClientOptions) {
    this.http = new HttpTransport(options);
  }

  /** Liveness and readiness probes. */
  readonly health = {
    live: () => this.http.call<LiveJson>("GET", "/healthz"),
    ready: () => this.http.call<ReadyJson>("GET", "/readyz"),
  };

  readonly tenants = {
    create: (input: TenantInput) =>
      this.http.call<TenantJson>("POST", "/api/admin/tenants", { auth: this.admin(), json: input }),
    list: () => this.http.call<TenantJson[]>("GET", "/api/admin/tenants", { auth: this.admin() }),
    get: (tenantId: string) =>
      this.http.call<TenantJson>("GET", `/api/admin/tenants/${enc(tenantId)}`, { auth: this.admin() }),
    delete: (tenantId: string) =>
      this.http.call<void>("DELETE", `/api/admin/tenants/${enc(tenantId)}`, { auth: this.admin() }),
    apiKey: (tenantId: string) =>
      this.http.call<{ apiKey: string }>("GET", `/api/admin/tenants/${enc(tenantId)}/api-key`, {
        auth: this.admin(),
      }),
    regenerateApiKey: (tenantId: string) =>
      this.http.call<{ apiKey: string }>("POST", `/api/admin/tenants/${enc(tenantId)}/api-key/regenerate`, {
        auth: this.admin(),
      }),
    connectors: (tenantId: string) =>
      this.http.call<ConnectorJson[]>("GET", `/api/admin/tenants/${enc(tenantId)}/connectors`, {
        auth: this.admin(),
      }),
  };

  readonly jwt = {
    get: (tenantId: string) =>
      this.http.call<TenantJwtJson>("GET", `/api/admin/tenants/${enc(tenantId)}/jwt`, { auth: this.admin() }),
    set: (tenantId: string, token: string) =>
      this.http.call<TenantJwtJson>("PUT", `/api/admin/tenants/${enc(tenantId)}/jwt`, {
        auth: this.admin(),
        json: { token },
      }),
    delete: (tenantId: string) =>
      this.http.call<void>("DELETE", `/api/admin/tenants/${enc(tenantId)}/jwt`, { auth: this.admin() }),
  };

  /** The emulated JWT creation portal. */
  readonly portal = {
    createToken: (input: PortalTokenInput) =>
      this.http.call<MintedTokenJson>("POST", "/api/jwt-portal/tokens", {
        auth: this.admin(),
        json: input,
      }),
    listTokens: () =>
      this.http.call<PortalTokenJson[]>("GET", "/api/jwt-portal/tokens", { auth: this.admin() }),
    revokeToken: (id: string) =>
      this.http.call<PortalTokenJson>("POST", `/api/jwt-portal/tokens/${enc(id)}/revoke`, {
        auth: this.admin(),
      }),
  };

  readonly users = {
    list: (tenantId: string, query: UserListQuery = {}) =>
      this.http.call<UserPageJson>("GET", `/api/admin/tenants/${enc(tenantId)}/users`, {
        auth: this.admin(),
        query,
      }),
    create: (tenantId: string, input: UserInput) =>
      this.http.call<UserJson>("POST", `/api/admin/tenants/${enc(tenantId)}/users`, {
        auth: this.admin(),
        json: input,
      }),
    get: (tenantId: string, userId: string) =>
      this.http.call<UserJson>("GET", `/api/admin/tenants/${enc(tenantId)}/users/${enc(userId)}`, {
        auth: this.admin(),
      }),
    update: (tenantId: string, userId: string, patch: UserPatch) =>
      this.http.call<UserJson>("PATCH", `/api/admin/tenants/${enc(tenantId)}/users/${enc(userId)}`, {
        auth: this.admin(),
        json: patch,
      }),
    delete: (tenantId: string, userId: string) =>
      this.http.call<void>("DELETE", `/api/admin/tenants/${enc(tenantId)}/users/${enc(userId)}`, {
        auth: this.admin(),
      }),
    /** CSV in the OSBiz export format (`emailAddress,firstName,lastName,locale`…), bound to a trunk. */
    importCsv: (tenantId: string, trunk: string, csv: string | Buffer, options: { dryRun?: boolean } = {}) =>
      this.http.call<ImportResultJson>("POST", `/api/admin/tenants/${enc(tenantId)}/users/import`, {
        auth: this.admin(),
        query: { trunk, dryRun: options.dryRun },
        raw: { body: csv, contentType: "text/csv" },
      }),
    /** JSON in the OpenScape Voice / 4000 style: an array of users or `{ users: [...] }`. */
    importJson: (tenantId: string, trunk: string, users: unknown, options: { dryRun?: boolean } = {}) =>
      this.http.call<ImportResultJson>("POST", `/api/admin/tenants/${enc(tenantId)}/users/import`, {
        auth: this.admin(),
        query: { trunk, dryRun: options.dryRun },
        json: users,
      }),
    exportCsv: (tenantId: string) =>
      this.http.text("GET", `/api/admin/tenants/${enc(tenantId)}/users/export`, { auth: this.admin() }),
  };

  readonly clock = {
    get: () => this.http.call<ClockJson>("GET", "/api/admin/clock", { auth: this.admin() }),
    set: (input: ClockInput) =>
      this.http.call<ClockJson>("PUT", "/api/admin/clock", { auth: this.admin(), json: input }),
    /** `by`: "31d", "2h30m", "PT90S" or milliseconds. */
    advance: (by: ClockAdvanceInput["by"]) =>
      this.http.call<ClockJson>("POST", "/api/admin/clock/advance", { auth: this.admin(), json: { by } }),
  };

  /** The call-event webhook (docs/webhooks.md). */
  readonly webhook = {
    get: () => this.http.call<WebhookJson>("GET", "/api/admin/webhook", { auth: this.admin() }),
    set: (input: WebhookInput) =>
      this.http.call<WebhookJson>("PUT", "/api/admin/webhook", { auth: this.admin(), json: input }),
    delete: () => this.http.call<void>("DELETE", "/api/admin/webhook", { auth: this.admin() }),
    /** Queues a `webhook.test` event; its delivery id (the receiver sees it as `x-upe-delivery`). */
    test: () =>
      this.http.call<WebhookTestJson>("POST", "/api/admin/webhook/test", {
        auth: this.admin(),
      }),
  };

  /** The PBX side, as the OSBiz wizards call it (needs `apiKey`, see `asPbx`). */
  readonly connector = {
    provision: (input: ProvisionInput) =>
      this.http.call<SystemJson>("POST", "/api/connector/v1/systems", { auth: this.pbx(), json: input }),
    getSystem: (systemId: string) =>
      this.http.call<SystemJson>("GET", `/api/connector/v1/systems/${enc(systemId)}`, { auth: this.pbx() }),
    uninstall: (systemId: string) =>
      this.http.call<void>("DELETE", `/api/connector/v1/systems/${enc(systemId)}`, { auth: this.pbx() }),
    searchUsers: (query: WizardUserQuery = {}) =>
      this.http.call<Page<WizardUserJson>>("GET", "/api/connector/v1/users", { auth: this.pbx(), query }),
    createUser: (input: WizardNewUserInput) =>
      this.http.call<WizardUserJson>("POST", "/api/connector/v1/users", { auth: this.pbx(), json: input }),
    assignUser: (userId: string, input: WizardAssignmentInput) =>
      this.http.call<WizardUserJson>("PUT", `/api/connector/v1/users/${enc(userId)}/assignment`, {
        auth: this.pbx(),
        json: input,
      }),
    unassignUser: (userId: string) =>
      this.http.call<void>("DELETE", `/api/connector/v1/users/${enc(userId)}/assignment`, {
        auth: this.pbx(),
      }),
    deleteUser: (userId: string) =>
      this.http.call<void>("DELETE", `/api/connector/v1/users/${enc(userId)}`, { auth: this.pbx() }),
  };

  /** The same emulator, seen by a PBX holding `apiKey`. */
  asPbx(apiKey: string): EmulatorClient {
    return new EmulatorClient({ ...this.options, apiKey });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private admin() {
    return this.options.adminToken ? { adminToken: this.options.adminToken } : {};
  }

  private pbx() {
    return this.options.apiKey ? { apiKey: this.options.apiKey } : {};
  }
}
