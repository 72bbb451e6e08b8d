import { BUSY_BEHAVIOURS, LOCALES, USER_ROLES, USER_ROUTINGS, type User } from "../../domain/index.js";
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, REQUIRED_COLUMNS } from "../../services/index.js";
import { iso, isoTime } from "./common.js";
import { pagedQuery } from "./paging.js";
import type { Reply } from "./type-provider.js";

const nullableString = { type: ["string", "null"] } as const;

const callBehaviour = {
  type: "object",
  additionalProperties: true,
  description:
    'How the user answers calls when no client answers (the virtual user), default {"mode":"answer","ringMs":1000}. ' +
    "Keys: mode (answer|busy|reject|unavailable|no-answer|forward|voicemail), ringMs (0–600000), media (echo|tone|silence), " +
    "to (forward target), routing (parallel|clients-only|virtual-only). Unknown keys or values are refused (422).",
} as const;

const routing = {
  enum: USER_ROUTINGS,
  description:
    "where incoming calls ring (HowTo §3.6.4): default = app and desk phone, desk-phone = only the desk phone (the connector answers 480), " +
    "unify-phone = only the app (the connector clears the desk phone's alerting over CSTA), alternative = alternativeNumber (SetForwarding on the desk phone; 302) — docs/cti.md",
} as const;
const busyBehaviour = {
  enum: BUSY_BEHAVIOURS,
  description:
    "a second call while the user talks: busy = 486 Busy Here, call-waiting = alerted as usual (default)",
} as const;

export const userSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    emailAddress: { type: "string" },
    firstName: { type: "string" },
    lastName: { type: "string" },
    locale: { enum: LOCALES },
    role: { enum: USER_ROLES },
    trunk: { ...nullableString, description: 'name of the trunk the user is assigned to, e.g. "gtc-001"' },
    callno: nullableString,
    did: nullableString,
    phoneNumber: {
      ...nullableString,
      description: "E.164 with international numbering, the callno with internal",
    },
    callBehaviour,
    routing,
    alternativeNumber: {
      ...nullableString,
      description: "the alternative routing's target (E.164 or a PBX number)",
    },
    busyBehaviour,
    createdAt: isoTime,
    updatedAt: isoTime,
  },
  required: [
    "id",
    "emailAddress",
    "firstName",
    "lastName",
    "locale",
    "role",
    "trunk",
    "callno",
    "did",
    "phoneNumber",
    "callBehaviour",
    "routing",
    "alternativeNumber",
    "busyBehaviour",
    "createdAt",
    "updatedAt",
  ],
} as const;

export const userPageSchema = {
  type: "object",
  properties: {
    items: { type: "array", items: userSchema },
    total: { type: "integer", description: "all matches, ignoring offset and limit" },
    offset: { type: "integer" },
    limit: { type: "integer" },
  },
  required: ["items", "total", "offset", "limit"],
} as const;

export const listUsersQuery = pagedQuery({
  properties: {
    search: {
      type: "string",
      maxLength: 200,
      description: "case-insensitive part of the name, e-mail address, callno, DID or phone number",
    },
  },
});

const fields = {
  emailAddress: { type: "string", maxLength: 254, description: "unique in the tenant, case-insensitively" },
  firstName: { type: "string", maxLength: 200 },
  lastName: { type: "string", maxLength: 200 },
  locale: { type: "string", maxLength: 35, description: `one of ${LOCALES.join(", ")}` },
  role: { enum: USER_ROLES },
  callBehaviour,
  routing,
  busyBehaviour,
} as const;

/** `type` is "string" for a new user, string or null (clears) for a change. */
const numberFields = <const T>(t: T) => {
  return {
    trunk: {
      type: t,
      maxLength: 64,
      description: "trunk name (gtc-001); with callno it builds the phone number from the trunk's numbering",
    },
    callno: { type: t, maxLength: 32, description: "internal call number on the PBX (digits)" },
    did: { type: t, maxLength: 32 },
    phoneNumber: {
      type: t,
      maxLength: 32,
      description:
        "explicit number (E.164 or internal); default built from trunk + callno; unique in the tenant",
    },
  } as const;
};

export const createUserBody = {
  type: "object",
  properties: {
    ...fields,
    locale: { ...fields.locale, description: `${fields.locale.description} (default en-US)` },
    ...numberFields("string"),
    alternativeNumber: {
      type: "string",
      maxLength: 32,
      description: "required with routing alternative (422 otherwise)",
    },
  },
  required: ["emailAddress", "firstName", "lastName"],
  additionalProperties: false,
} as const;

export const patchUserBody = {
  type: "object",
  description: "Omitted fields keep their value; null clears trunk, callno, did or phoneNumber.",
  properties: {
    ...fields,
    ...numberFields(nullableString.type),
    alternativeNumber: {
      ...nullableString,
      maxLength: 32,
      description: "required with routing alternative (422 otherwise)",
    },
  },
  additionalProperties: false,
  minProperties: 1,
} as const;

const rowNumbering =
  "Each problem's `row` is the spreadsheet row for CSV (the header is row 1, so the first data row is row 2; " +
  "blank lines count, a quoted field with line breaks stays one row) and the 1-based array position for JSON.";

export const importQuery = {
  type: "object",
  properties: {
    trunk: {
      type: "string",
      minLength: 1,
      maxLength: 64,
      description: "the trunk the users go to, e.g. gtc-001",
    },
    dryRun: { enum: ["true", "false"], description: "true: only validate and count (default false)" },
  },
  required: ["trunk"],
  additionalProperties: false,
} as const;

const csvBody = {
  description:
    `CSV, UTF-8 with or without BOM, CRLF or LF, "," or ";" as delimiter. Header row in camelCase: ` +
    `${REQUIRED_COLUMNS.join(",")} required, ${IMPORT_COLUMNS.slice(REQUIRED_COLUMNS.length).join(", ")} ` +
    `optional, in any order. At most ${IMPORT_MAX_ROWS} rows, 10 MB. ${rowNumbering}`,
} as const;

export const importBody = {
  content: {
    "text/csv": { schema: csvBody },
    "application/csv": { schema: csvBody },
    "application/json": {
      schema: {
        description: `An array of users or {"users": [...]}, with the CSV column names as keys (string values; null = empty). ${rowNumbering}`,
        anyOf: [
          { type: "array" },
          { type: "object", properties: { users: { type: "array" } }, required: ["users"] },
        ],
      },
    },
  },
} as const;

export const importResultSchema = {
  type: "object",
  properties: {
    created: { type: "integer" },
    updated: { type: "integer", description: "matched by e-mail, some field differed" },
    unchanged: { type: "integer", description: "matched by e-mail, every field equal" },
    dryRun: { type: "boolean", description: "true: nothing was written" },
    warnings: {
      type: "array",
      description:
        "dry run only, absent when empty: what would refuse the real import although every row is valid " +
        "(connector_unavailable: the trunk's PBX is not registered, HowTo §2.4)",
      items: {
        type: "object",
        properties: { field: { type: "string" }, code: { type: "string" }, message: { type: "string" } },
        required: ["field", "code", "message"],
      },
    },
  },
  required: ["created", "updated", "unchanged", "dryRun"],
} as const;

export const exportResponse = {
  description: `CSV (UTF-8 with BOM, CRLF) with the header ${IMPORT_COLUMNS.join(",")}; cells starting with = + - @ tab or CR get a leading "'"`,
  content: { "text/csv": { schema: { type: "string" } } },
} as const;

export function userJson(u: User, trunk: string | null): Reply<typeof userSchema> {
  return {
    id: u.id,
    emailAddress: u.emailAddress,
    firstName: u.firstName,
    lastName: u.lastName,
    locale: u.locale,
    role: u.role,
    trunk,
    callno: u.callno ?? null,
    did: u.did ?? null,
    phoneNumber: u.phoneNumber ?? null,
    callBehaviour: u.callBehaviour,
    routing: u.routing,
    alternativeNumber: u.alternativeNumber ?? null,
    busyBehaviour: u.busyBehaviour,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
  };
}
