import type { Scenario, ScenarioApplied } from "../../scenarios/index.js";
import { faultJson, faultRuleSchema } from "./faults.js";
import type { Reply } from "./type-provider.js";

/** Seed, clock, faults and hints are checked by the scenario parser (scenarios/README.md). */
const open = { type: "object", additionalProperties: true } as const;
const counts = {
  type: "object",
  properties: {
    tenants: { type: "integer" },
    systems: { type: "integer" },
    trunks: { type: "integer" },
    users: { type: "integer" },
  },
} as const;

export const scenarioParams = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 64, description: "file name without .yaml" },
  },
  required: ["name"],
} as const;

export const scenarioSummarySchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    symptom: { type: "string", description: "the vendor FAQ's wording of what the customer sees" },
    error: { type: "string", description: "only for a file that does not validate: file:line: problem" },
  },
  required: ["name", "description", "symptom"],
} as const;

export const scenarioSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    file: { type: "string" },
    description: { type: "string" },
    symptom: { type: "string" },
    cause: { type: "string" },
    seed: { ...open, description: "as in the file; the --seed format without clock and faults" },
    clock: { ...open, description: "as in the file: now, frozen, advance" },
    registrar: open,
    maintenance: { ...open, description: "as in the file: from/startsIn, until/lasts" },
    pbx: { ...open, description: "as in the file: the mock OSBiz's options and actions (--mock-osbiz)" },
    faults: { type: "array", items: open, description: "the rules as they will be added, ids included" },
    expect: { ...open, description: "outcome in words, and hints: connector, register, invite, …" },
    run: { type: "array", items: { type: "string" } },
  },
  required: ["name", "description", "symptom", "cause", "faults", "expect", "run"],
} as const;

export const scenarioAppliedSchema = {
  type: "object",
  properties: {
    scenario: { type: "string" },
    symptom: { type: "string" },
    tenants: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          apiKey: { type: "string" },
          created: { type: "boolean" },
        },
      },
    },
    seed: {
      type: "object",
      properties: { created: counts, updated: counts, unchanged: counts },
    },
    jwt: {
      type: "object",
      properties: { changed: { type: "integer" }, unchanged: { type: "integer" } },
    },
    faults: {
      type: "object",
      properties: {
        added: { type: "array", items: faultRuleSchema },
        removed: { type: "array", items: { type: "string" } },
      },
    },
    clock: {
      type: "object",
      properties: {
        now: { type: "string", format: "date-time" },
        frozen: { type: "boolean" },
        advancedMs: { type: "integer" },
      },
    },
    registrar: {
      type: "object",
      properties: { duplicateRegistration: { enum: ["allow", "reject", "last-wins", "flap"] } },
    },
    maintenance: {
      type: ["object", "null"],
      description: "the registrar's planned-outage window in force (emulator clock), or null",
      properties: {
        from: { type: "string", format: "date-time" },
        until: { type: "string", format: "date-time" },
      },
    },
    expect: open,
  },
  required: ["scenario", "tenants", "faults", "clock", "registrar"],
} as const;

/** A mapping as the file wrote it (the parser checked it is one); an empty key (null) shows as {}. */
const asWritten = (value: unknown): object => (typeof value === "object" && value !== null ? value : {});

export function scenarioJson(s: Scenario): Reply<typeof scenarioSchema> {
  const { raw } = s;
  return {
    name: s.name,
    file: s.file,
    description: s.description,
    symptom: s.symptom,
    cause: s.cause,
    ...(raw.seed === undefined ? {} : { seed: asWritten(raw.seed) }),
    ...(raw.clock === undefined ? {} : { clock: asWritten(raw.clock) }),
    ...(s.registrar === undefined ? {} : { registrar: s.registrar }),
    ...(raw.maintenance === undefined ? {} : { maintenance: asWritten(raw.maintenance) }),
    ...(raw.pbx === undefined ? {} : { pbx: asWritten(raw.pbx) }),
    faults: s.faults,
    expect: s.expect,
    run: s.run,
  };
}

export function scenarioAppliedJson(a: ScenarioApplied): Reply<typeof scenarioAppliedSchema> {
  return {
    ...a,
    faults: { added: a.faults.added.map(faultJson), removed: a.faults.removed },
    clock: { ...a.clock, now: new Date(a.clock.now).toISOString() },
  };
}
