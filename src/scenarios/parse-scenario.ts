import { readFileSync } from "node:fs";
import path from "node:path";
import { FaultRuleError, type FaultRuleInput, parseFaultRules } from "../faults/index.js";
import type { DuplicateRegistrationPolicy } from "../registrar/index.js";
import { type SeedDocument, SeedError, validateSeed } from "../seed/index.js";
import { parseDuration } from "../shared/duration.js";
import {
  type DocumentPath,
  type Fields,
  type Locate,
  ProblemReader,
  parseSourceText,
  placeProblems,
} from "../shared/untrusted/index.js";
import { parseScenarioExpect } from "./parse-scenario-expect.js";
import { parseScenarioMaintenance } from "./parse-scenario-maintenance.js";
import { parseScenarioPbx } from "./parse-scenario-pbx.js";
import type { Scenario, ScenarioClock, ScenarioRegistrar } from "./scenario.js";
import { ScenarioError, type ScenarioIssue } from "./scenario-error.js";
import { seedIssues } from "./scenario-seed-issues.js";

const TOP_KEYS = [
  "name",
  "description",
  "symptom",
  "cause",
  "seed",
  "clock",
  "registrar",
  "maintenance",
  "pbx",
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
  const parsed = parseSourceText(text);
  if (!parsed.ok) throw new ScenarioError(file, parsed.problems);
  const { locate } = parsed;
  const r = new ProblemReader();
  const top = r.mapping(parsed.value ?? undefined, [], TOP_KEYS, "a scenario");
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
  const maintenance = parseScenarioMaintenance(r, top.maintenance);
  const pbx = parseScenarioPbx(r, top.pbx);
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
    maintenance,
    pbx,
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

function located(file: string, r: ProblemReader, locate: Locate, more: ScenarioIssue[] = []): ScenarioError {
  return new ScenarioError(file, [...placeProblems(r.issues, locate), ...more]);
}

function readClock(r: ProblemReader, value: unknown): ScenarioClock | undefined {
  if (value === undefined || value === null) return undefined;
  const at: DocumentPath = ["clock"];
  const c = r.mapping(value, at, ["now", "frozen", "advance"], "clock");
  if (!c) return undefined;
  const clock: { now?: number; frozen?: boolean; advanceMs?: number } = {};
  const now = r.time(c, at, "now", "2030-01-01T00:00:00Z");
  if (now !== undefined) clock.now = now;
  const frozen = r.boolean(c, at, "frozen");
  if (frozen !== undefined) clock.frozen = frozen;
  if (c.advance !== undefined && c.advance !== null) {
    const ms = typeof c.advance === "string" ? parseDuration(c.advance) : undefined;
    if (ms !== undefined && ms > 0) clock.advanceMs = ms;
    else r.fail([...at, "advance"], 'must be a duration such as "31d", "2h30m" or "PT90S"');
  }
  return clock;
}

function readRegistrar(r: ProblemReader, value: unknown): ScenarioRegistrar | undefined {
  if (value === undefined || value === null) return undefined;
  const o = r.mapping(value, ["registrar"], ["duplicateRegistration"], "registrar");
  if (!o) return undefined;
  const policy = r.choice(o, ["registrar"], "duplicateRegistration", POLICIES);
  return policy === undefined ? {} : { duplicateRegistration: policy };
}

/** Validated like `POST /api/admin/faults`; ids get the scenario prefix. */
function readFaults(r: ProblemReader, value: unknown, name: string): FaultRuleInput[] {
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
  r: ProblemReader,
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
