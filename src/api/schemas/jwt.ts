import {
  type MintedToken,
  NOT_FUNCTIONAL,
  type PortalToken,
  type TenantJwtView,
} from "../../services/index.js";
import { iso, isoTime } from "./common.js";
import type { Reply } from "./type-provider.js";

export const createPortalTokenBody = {
  type: "object",
  properties: {
    clientId: {
      type: "string",
      minLength: 1,
      maxLength: 128,
      description: "The tenant's Unify Phone client ID; becomes the token's aud and sub",
    },
    label: { type: "string", minLength: 1, maxLength: 100 },
    expiresAt: {
      type: ["string", "null"],
      format: "date-time",
      description:
        "Becomes exp (whole seconds); absent or null: the token never expires. A past time is allowed.",
    },
  },
  required: ["clientId", "label"],
  additionalProperties: false,
} as const;

export const portalTokenListQuery = {
  type: "object",
  properties: { clientId: { type: "string", minLength: 1, maxLength: 128 } },
  additionalProperties: false,
} as const;

const portalTokenProperties = {
  id: { type: "string", description: "The token's jti" },
  clientId: { type: "string" },
  label: { type: "string" },
  expiresAt: isoTime,
  createdAt: isoTime,
  revokedAt: isoTime,
} as const;

export const portalTokenSchema = {
  type: "object",
  properties: portalTokenProperties,
  required: ["id", "clientId", "label", "expiresAt", "createdAt", "revokedAt"],
} as const;

export const mintedTokenSchema = {
  type: "object",
  properties: {
    ...portalTokenProperties,
    token: { type: "string", description: "The signed JWT (ES256); shown only here" },
  },
  required: ["id", "token", "clientId", "label", "expiresAt", "createdAt", "revokedAt"],
} as const;

export const putJwtBody = {
  type: "object",
  properties: {
    token: {
      type: "string",
      minLength: 1,
      maxLength: 16_384,
      description: "A JWT from the JWT creation portal",
    },
  },
  required: ["token"],
  additionalProperties: false,
} as const;

export const tenantJwtSchema = {
  type: "object",
  properties: {
    status: {
      enum: ["not_set", "active", "invalid", "expiring", "expired"],
      description:
        "Computed from the emulator clock on every read. invalid: the token was revoked in the portal after being set; " +
        "expired: expiresAt ≤ now; expiring: from one calendar month before expiresAt (UTC; 31 Mar → 28/29 Feb) " +
        "(still functional); active: otherwise, also for a token without expiry.",
    },
    expiresAt: isoTime,
    label: { type: ["string", "null"] },
    setAt: isoTime,
    functional: {
      type: "boolean",
      description:
        "Whether Unify Phone works for the tenant now: false for a Unify Video tenant whose JWT is not_set, invalid or expired " +
        "(calls refused both ways, clients cannot register, no new users); always true for openscape tenants.",
    },
    cause: {
      type: ["string", "null"],
      description:
        'Why not, when functional is false: e.g. "Unify Phone not functional: JWT expired — …"; else null.',
    },
    warnings: {
      type: "array",
      items: { type: "string" },
      description: "While everything still works: e.g. the JWT expires within a month (status expiring).",
    },
  },
  required: ["status", "expiresAt", "label", "setAt", "functional", "cause", "warnings"],
} as const;

export function portalTokenJson(t: PortalToken): Reply<typeof portalTokenSchema> {
  return {
    id: t.id,
    clientId: t.clientId,
    label: t.label,
    expiresAt: iso(t.expiresAt),
    createdAt: iso(t.createdAt),
    revokedAt: iso(t.revokedAt),
  };
}

export function mintedTokenJson(m: MintedToken): Reply<typeof mintedTokenSchema> {
  return { ...portalTokenJson(m), token: m.token };
}

export function tenantJwtJson(s: TenantJwtView): Reply<typeof tenantJwtSchema> {
  return {
    status: s.status,
    expiresAt: iso(s.expiresAt),
    label: s.label,
    setAt: iso(s.setAt),
    functional: s.outage === undefined,
    cause: s.outage === undefined ? null : `${NOT_FUNCTIONAL}: ${s.outage.cause} — ${s.outage.detail}`,
    warnings: [...s.warnings],
  };
}
