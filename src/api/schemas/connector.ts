import type { ProvisionedSystem, WizardUser } from "../../services/index.js";
import { iso, isoTime } from "./common.js";
import { pagedQuery } from "./paging.js";
import type { Reply } from "./type-provider.js";

/** Digit rules (and "international needs countryCode") are the domain's, answered as 422 invalid_numbering. */
const numberingProperties = {
  schema: { enum: ["international", "internal"] },
  countryCode: { type: "string", description: "e.g. 49" },
  areaCode: { type: "string", description: "without the national prefix 0, e.g. 2302" },
  pabxNumber: { type: "string", description: "e.g. 667" },
} as const;

/** A system's numbering as the emulator answers it (and as a provisioning body may give it). */
export const numberingSchema = {
  type: "object",
  properties: numberingProperties,
  required: ["schema"],
} as const;

const text = (maxLength: number) => ({ type: "string", minLength: 1, maxLength }) as const;
const nullableText = { type: ["string", "null"] } as const;

export const systemIdParams = {
  type: "object",
  properties: { systemId: text(100) },
  required: ["systemId"],
} as const;

export const provisionBody = {
  type: "object",
  properties: {
    systemId: text(100),
    name: text(100),
    version: text(100),
    simultaneousCalls: { type: "integer", minimum: 0, maximum: 1000 },
    numbering: { type: "object", properties: numberingProperties, additionalProperties: false },
  },
  required: ["systemId"],
  additionalProperties: false,
} as const;

export const systemSchema = {
  type: "object",
  properties: {
    trunkId: { type: "string", description: 'the trunk (connector) name, e.g. "gtc-001"' },
    systemId: { type: "string" },
    name: { type: "string" },
    version: nullableText,
    simultaneousCalls: { type: "integer" },
    numbering: numberingSchema,
    sip: {
      type: "object",
      properties: {
        host: { type: "string" },
        port: { type: "integer" },
        transport: { const: "tls" },
        domain: { type: "string" },
        username: { type: "string" },
        password: { type: "string" },
        registerInterval: { type: "integer" },
      },
      required: ["host", "port", "transport", "domain", "username", "password", "registerInterval"],
    },
    stun: {
      type: ["object", "null"],
      properties: { host: { type: "string" }, port: { type: "integer" } },
      required: ["host", "port"],
    },
    status: { enum: ["available", "unavailable"] },
    createdAt: isoTime,
  },
  required: [
    "trunkId",
    "systemId",
    "name",
    "version",
    "simultaneousCalls",
    "numbering",
    "sip",
    "stun",
    "status",
  ],
} as const;

export const userQuery = pagedQuery({
  properties: {
    search: { type: "string", maxLength: 200, description: "case-insensitive part of the name or e-mail" },
    systemId: { ...text(100), description: "mark the users assigned to this system's trunk" },
  },
});

export const createUserBody = {
  type: "object",
  properties: {
    systemId: text(100),
    emailAddress: { type: "string" },
    firstName: { type: "string" },
    lastName: { type: "string" },
    locale: { type: "string" },
    callno: { type: "string" },
    did: { type: "string" },
  },
  required: ["systemId", "emailAddress", "firstName", "lastName", "callno"],
  additionalProperties: false,
} as const;

export const assignmentBody = {
  type: "object",
  properties: { systemId: text(100), callno: { type: "string" }, did: { type: "string" } },
  required: ["systemId", "callno"],
  additionalProperties: false,
} as const;

export const wizardUserSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    emailAddress: { type: "string" },
    firstName: { type: "string" },
    lastName: { type: "string" },
    locale: { type: "string" },
    callno: nullableText,
    did: nullableText,
    phoneNumber: nullableText,
    trunk: { ...nullableText, description: 'the trunk the user is assigned to, e.g. "gtc-001"' },
    assigned: { type: "boolean" },
    assignedToThisSystem: { type: "boolean" },
  },
  required: [
    "id",
    "emailAddress",
    "firstName",
    "lastName",
    "locale",
    "callno",
    "did",
    "phoneNumber",
    "trunk",
    "assigned",
    "assignedToThisSystem",
  ],
} as const;

export const userPageSchema = {
  type: "object",
  properties: {
    items: { type: "array", items: wizardUserSchema },
    total: { type: "integer", description: "all matches, ignoring offset and limit" },
    offset: { type: "integer" },
    limit: { type: "integer" },
  },
  required: ["items", "total", "offset", "limit"],
} as const;

export function systemJson(p: ProvisionedSystem): Reply<typeof systemSchema> {
  const { system, trunk, endpoints } = p;
  return {
    trunkId: trunk.name,
    systemId: system.systemId,
    name: system.name,
    version: system.version ?? null,
    simultaneousCalls: system.simultaneousCalls,
    numbering: system.numbering,
    sip: {
      host: endpoints.host,
      port: endpoints.sipPort,
      transport: "tls",
      domain: endpoints.domain,
      username: trunk.username,
      password: trunk.password,
      registerInterval: endpoints.registerInterval,
    },
    stun: endpoints.stun && { host: endpoints.stun.host, port: endpoints.stun.port },
    status: p.available ? "available" : "unavailable",
    createdAt: iso(system.createdAt),
  };
}

export function wizardUserJson(w: WizardUser): Reply<typeof wizardUserSchema> {
  const u = w.user;
  return {
    id: u.id,
    emailAddress: u.emailAddress,
    firstName: u.firstName,
    lastName: u.lastName,
    locale: u.locale,
    callno: u.callno ?? null,
    did: u.did ?? null,
    phoneNumber: u.phoneNumber ?? null,
    trunk: w.trunkName,
    assigned: u.trunkId !== undefined,
    assignedToThisSystem: w.assignedToThisSystem,
  };
}
