/** JSON shapes of the REST API, as a client sees them (dates are ISO 8601 strings). */

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: Array<{ row?: number; field: string; code: string; message: string }>;
}

export interface TenantJson {
  id: string;
  name: string;
  flavour: "openscape" | "video";
  apiKey: string;
  clientId: string;
  createdAt: string;
}

export interface ConnectorJson {
  name: string;
  type: "OSBIZ";
  status: "available" | "unavailable";
  systemId: string;
  trunkId: string;
  username: string;
  simultaneousCalls: number;
  contact: string | null;
  registeredAt: string | null;
  expiresAt: string | null;
  remote: string | null;
  bindings: number;
}

export type JwtStatus = "not_set" | "active" | "invalid" | "expiring" | "expired";

export interface TenantJwtJson {
  status: JwtStatus;
  expiresAt: string | null;
  label: string | null;
  setAt: string | null;
}

export interface PortalTokenJson {
  id: string;
  token?: string;
  clientId: string;
  label: string;
  expiresAt: string | null;
  createdAt: string;
  revoked?: boolean;
}

export interface NumberingJson {
  schema: "international" | "internal";
  countryCode?: string;
  areaCode?: string;
  pabxNumber?: string;
}

export interface UserJson {
  id: string;
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: string;
  role: "user" | "admin";
  trunk: string | null;
  callno: string | null;
  did: string | null;
  phoneNumber: string | null;
  callBehaviour?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface UserInput {
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale?: string;
  role?: "user" | "admin";
  trunk?: string | null;
  callno?: string | null;
  did?: string | null;
  phoneNumber?: string | null;
  callBehaviour?: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset?: number;
  limit?: number;
}

export interface ImportResultJson {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

export interface ClockJson {
  now: string;
  epochMs: number;
  frozen: boolean;
  offsetMs: number;
}

export interface WebhookInput {
  url: string;
  secret?: string;
  /** e.g. ["call.*", "connector.unavailable"]; default every event. */
  events?: string[];
}

/** The webhook and its counters; `url` is null when none is set. The secret is never returned. */
export interface WebhookJson {
  url: string | null;
  events: string[] | null;
  secretSet: boolean;
  queued: number;
  delivered: number;
  failed: number;
  dropped: number;
  lastError?: string;
  lastDeliveredAt?: string;
}

export interface ProvisionInput {
  systemId: string;
  name?: string;
  version?: string;
  simultaneousCalls?: number;
  numbering?: NumberingJson;
}

export interface SystemJson {
  trunkId: string;
  systemId: string;
  name?: string | null;
  version?: string | null;
  simultaneousCalls: number;
  numbering?: NumberingJson | null;
  sip: {
    host: string;
    port: number;
    transport: "tls";
    domain: string;
    username: string;
    password: string;
    registerInterval: number;
  };
  stun: { host: string; port: number } | null;
  status: "available" | "unavailable";
}

export interface WizardUserJson {
  id: string;
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: string;
  callno: string | null;
  did: string | null;
  phoneNumber: string | null;
  trunk: string | null;
  assigned: boolean;
  assignedToThisSystem: boolean;
}
