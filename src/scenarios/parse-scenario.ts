import { readFileSync } from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { FaultRuleError, type FaultRuleInput, parseFaultRules } from "../faults/index.js";
import type { DuplicateRegistrationPolicy } from "../registrar/index.js";
import {
  formatSeedPath,
  locateInYaml,
  type SeedDocument,
  SeedError,
  type SeedPath,
  validateSeed,
} from "../seed/index.js";
// The seed's YAML position machinery, so scenario and seed errors point at lines alike.
import { parseDuration } from "../shared/duration.js";
import { parseScenarioExpect } from "./parse-scenario-expect.js";
import type { Scenario, ScenarioClock, ScenarioRegistrar } from "./scenario.js";
import { ScenarioError, type ScenarioIssue, type ScenarioPosition } from "./scenario-error.js";
import { type Fields, ScenarioReader } from "./scenario-reader.js";
import { seedIssues } from "./scenario-seed-issues.js";

const TOP_KEYS = [
  "name",
  "description",
  "symptom",
  "cause",
  "seed",
  "clock",
  "registrar",
  "faults",
  "expect",
  "run",
];
export const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Scenario faults carry this id prefix, so applying the next scenario can replace them. */
export const SCENARIO_FAULT_PREFIX = "scenario.";
const MAX_FAULT_ID = 64;
const POLICIES: readonly DuplicateRegistrationPolicy[] = ["allow", "reject", "last-wins", "flap"];

/**
 * Parses and validates a scenario file's text. `expectedName` (the file name without
 * `.yaml`) must equal its `name:`. Throws ScenarioError naming every problem with its line.
 */
export function parseScenario(text: string, file: string, expectedName?: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ""), { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { path: "", message: e.message.split("\n")[0]!, line, column: col };
      }),
    );
  }
  const locate = (at: SeedPath, atKey = false): ScenarioPosition => locateInYaml(doc, lines, at, atKey);
  const r = new ScenarioReader();
  const raw: unknown = doc.toJS();
  const top = r.mapping(raw ?? undefined, [], TOP_KEYS, "a scenario");
  if (!top) throw located(file, r, locate);

  const name = r.text(top, [], "name", true);
  if (name !== undefined && !SCENARIO_NAME.test(name))
    r.fail(["name"], "must be 1–40 lower-case letters, digits or '-', starting with a letter or digit");
  else if (name !== undefined && expectedName !== undefined && name !== expectedName)
    r.fail(["name"], `must equal the file name "${expectedName}"`);
  const description = r.text(top, [], "description", true);
  const symptom = r.text(top, [], "symptom", true);
  const cause = r.text(top, [], "cause", true);
  const run = r.texts(top, [], "run", true);
  const expect = parseScenarioExpect(r, top.expect);
  const clock = readClock(r, top.clock);
  const registrar = readRegistrar(r, top.registrar);
  const faults = readFaults(r, top.faults, name ?? "");
  const seedProblems: ScenarioIssue[] = [];
  const seed = readSeed(r, top.seed, (error) => seedProblems.push(...seedIssues(error, locate)));

  if (r.issues.length > 0 || seedProblems.length > 0) throw located(file, r, locate, seedProblems);
  return {
    name: name!,
    file,
    description: description!,
    symptom: symptom!,
    cause: cause!,
    seed,
    clock,
    registrar,
    faults,
    expect: expect!,
    run: run!,
    raw: top,
    locate: (at) => locate(at),
  };
}

/** Reads and parses a scenario file; its name must be the file name without `.yaml`. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ScenarioError(file, [
      { path: "", message: `cannot read the file: ${(error as Error).message}` },
    ]);
  }
  return parseScenario(text, file, path.basename(file).replace(/\.ya?ml$/i, ""));
}

function located(
  file: string,
  r: ScenarioReader,
  locate: (at: SeedPath, atKey?: boolean) => ScenarioPosition,
  more: ScenarioIssue[] = [],
): ScenarioError {
  const issues = r.issues.map((i) => ({
    path: formatSeedPath(i.path),
    message: i.message,
    ...locate(i.path, i.atKey),
  }));
  return new ScenarioError(file, [...issues, ...more]);
}

function readClock(r: ScenarioReader, value: unknown): ScenarioClock | undefined {
  if (value === undefined || value === null) return undefined;
  const at: SeedPath = ["clock"];
  const c = r.mapping(value, at, ["now", "frozen", "advance"], "clock");
  if (!c) return undefined;
  const clock: { now?: number; frozen?: boolean; advanceMs?: number } = {};
  if (c.now !== undefined && c.now !== null) {
    // YAML may turn an unquoted timestamp into a Date.
    const v = c.now instanceof Date ? c.now.getTime() : c.now;
    const ms = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : Number.NaN;
    if (Number.isFinite(ms) && ms >= 0) clock.now = ms;
    else r.fail([...at, "now"], "must be an ISO 8601 time (2030-01-01T00:00:00Z) or epoch milliseconds");
  }
  const frozen = r.boolean(c, at, "frozen");
  if (frozen !== undefined) clock.frozen = frozen;
  if (c.advance !== undefined && c.advance !== null) {
    const ms = typeof c.advance === "string" ? parseDuration(c.advance) : undefined;
    if (ms !== undefined && ms > 0) clock.advanceMs = ms;
    else r.fail([...at, "advance"], 'must be a duration such as "31d", "2h30m" or "PT90S"');
  }
  return clock;
}

function readRegistrar(r: ScenarioReader, value: unknown): ScenarioRegistrar | undefined {
  if (value === undefined || value === null) return undefined;
  const o = r.mapping(value, ["registrar"], ["duplicateRegistration"], "registrar");
  if (!o) return undefined;
  const policy = r.choice(o, ["registrar"], "duplicateRegistration", POLICIES);
  return policy === undefined ? {} : { duplicateRegistration: policy };
}

/** Validated like `POST /api/admin/faults`; ids get the scenario prefix. */
function readFaults(r: ScenarioReader, value: unknown, name: string): FaultRuleInput[] {
  let rules: FaultRuleInput[];
  try {
    rules = parseFaultRules(value, "faults");
  } catch (error) {
    if (!(error instanceof FaultRuleError)) throw error;
    for (const issue of error.issues) r.fail(["faults", ...issue.segments], issue.message);
    return [];
  }
  return rules.map((rule, i) => {
    const id = `${SCENARIO_FAULT_PREFIX}${name}.${rule.id ?? i + 1}`;
    if (id.length > MAX_FAULT_ID)
      r.fail(["faults", i, ...(rule.id === undefined ? [] : ["id"])], `the fault id ${id} is too long`);
    return { ...rule, id };
  });
}

/** The seed format of `--seed`, without its clock and faults (the scenario has its own). */
function readSeed(
  r: ScenarioReader,
  value: unknown,
  onSeedError: (e: SeedError) => void,
): SeedDocument | undefined {
  if (value === undefined || value === null) return undefined;
  const seed = r.mapping(value, ["seed"], ["tenants", "clock", "faults"], "seed");
  if (!seed) return undefined;
  const misplaced = (key: string) =>
    r.fail(["seed", key], `use the scenario's top-level ${key}: instead of seed.${key}`, true);
  if ("clock" in seed) misplaced("clock");
  if ("faults" in seed) misplaced("faults");
  try {
    return validateSeed({ tenants: (seed as Fields).tenants });
  } catch (error) {
    if (!(error instanceof SeedError)) throw error;
    onSeedError(error);
    return undefined;
  }
}
