import type { Tenant } from "../../domain/index.js";
import type { ConnectorStatus, TenantJwtView } from "../../services/index.js";
import { iso, isoTime } from "./common.js";
import type { Reply } from "./type-provider.js";

export const tenantSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    flavour: { enum: ["openscape", "video"] },
    apiKey: { type: "string" },
    clientId: { type: "string" },
    createdAt: isoTime,
    jwt: {
      type: "object",
      description:
        "The admin app's JWT connection status and what it means now (details: GET …/jwt): functional is false for a " +
        "Unify Video tenant whose JWT is not_set, invalid or expired; warnings name an expiring JWT's expiry.",
      properties: {
        status: { enum: ["not_set", "active", "invalid", "expiring", "expired"] },
        functional: { type: "boolean" },
        warnings: { type: "array", items: { type: "string" } },
      },
      required: ["status", "functional", "warnings"],
    },
  },
  required: ["id", "name", "flavour", "apiKey", "clientId", "createdAt", "jwt"],
} as const;

export const createTenantBody = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 100 },
    flavour: { enum: ["openscape", "video"] },
    apiKey: { type: "string", minLength: 1, maxLength: 128 },
    adminEmail: {
      type: "string",
      maxLength: 254,
      description:
        "e-mail of the tenant's Administrator user (role admin), created with the tenant; default admin@<tenant-slug>.example",
    },
  },
  required: ["name"],
  additionalProperties: false,
} as const;

export const apiKeySchema = {
  type: "object",
  properties: { apiKey: { type: "string" } },
  required: ["apiKey"],
} as const;

export const connectorSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    type: { const: "OSBIZ" },
    status: { enum: ["available", "unavailable"] },
    systemId: { type: "string" },
    trunkId: { type: "string" },
    username: { type: "string" },
    simultaneousCalls: { type: "integer" },
    contact: { type: ["string", "null"] },
    registeredAt: isoTime,
    expiresAt: isoTime,
    remote: { type: ["string", "null"] },
    bindings: { type: "integer" },
  },
  required: [
    "name",
    "type",
    "status",
    "systemId",
    "trunkId",
    "username",
    "simultaneousCalls",
    "contact",
    "registeredAt",
    "expiresAt",
    "remote",
    "bindings",
  ],
} as const;

export function tenantJson(t: Tenant, jwt: TenantJwtView): Reply<typeof tenantSchema> {
  return {
    id: t.id,
    name: t.name,
    flavour: t.flavour,
    apiKey: t.apiKey,
    clientId: t.clientId,
    createdAt: iso(t.createdAt),
    jwt: { status: jwt.status, functional: jwt.outage === undefined, warnings: [...jwt.warnings] },
  };
}

export function connectorJson(c: ConnectorStatus): Reply<typeof connectorSchema> {
  return { ...c, registeredAt: iso(c.registeredAt), expiresAt: iso(c.expiresAt) };
}
