import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  defaultScenariosDir,
  parseScenario,
  ScenarioCatalog,
  ScenarioError,
  ScenarioNotFoundError,
} from "../../../src/scenarios/index.js";

const VALID = `name: demo
description: A demo scenario.
symptom: Something the PBX shows
cause: Why it happens.
seed:
  tenants:
    - name: Demo
      apiKey: demo-key-0001-ijhRZtE62aN3teItR4l0
      systems:
        - systemId: pbx-1
          trunk: { username: "1000000009", password: "demo-Passw0rd" }
clock: { now: "2030-01-01T00:00:00Z", frozen: true, advance: 31d }
registrar: { duplicateRegistration: reject }
faults:
  - layer: sip
    match: { method: REGISTER }
    action: { type: respond, status: 503, retryAfter: 5 }
  - id: slow
    layer: sip
    action: { type: delay, ms: 100 }
expect:
  outcome: The PBX cannot register.
  register: { status: 503, retryAfter: 5 }
  connector: unavailable
run:
  - npx unify-phone-emulator --scenario demo
`;

function issuesOf(text: string, expectedName = "demo") {
  try {
    parseScenario(text, "demo.yaml", expectedName);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  }
  throw new Error("parsed without an error");
}

describe("parseScenario", () => {
  it("reads every section; faults get ids tagged with the scenario", () => {
    const s = parseScenario(VALID, "demo.yaml", "demo");
    expect(s).toMatchObject({
      name: "demo",
      file: "demo.yaml",
      symptom: "Something the PBX shows",
      clock: { now: Date.parse("2030-01-01T00:00:00Z"), frozen: true, advanceMs: 31 * 86_400_000 },
      registrar: { duplicateRegistration: "reject" },
      expect: { outcome: "The PBX cannot register.", register: { status: 503, retryAfter: 5 } },
      run: ["npx unify-phone-emulator --scenario demo"],
    });
    expect(s.faults.map((f) => f.id)).toEqual(["scenario.demo.1", "scenario.demo.slow"]);
    expect(s.seed?.tenants.map((t) => t.name)).toEqual(["Demo"]);
    expect(s.locate(["faults", 1, "action"])).toEqual({ line: 20, column: 13 });
  });

  it("names every problem with its line and column", () => {
    const broken = VALID.replace("symptom: Something the PBX shows\n", "")
      .replace("frozen: true, advance: 31d", "frozen: yes-ish, advance: soon")
      .replace("duplicateRegistration: reject", "duplicateRegistration: sometimes")
      .replace("status: 503, retryAfter: 5 }\n  - id", "status: 99 }\n  - id")
      .replace("apiKey: demo-key-0001-ijhRZtE62aN3teItR4l0", 'apiKey: "x"')
      .replace("  connector: unavailable", "  connector: down\n  colour: red")
      .replace("run:\n  - npx", "runs: true\nrun:\n  - npx");
    expect(issuesOf(broken)).toEqual([
      '25:1 runs: unknown key "runs" in a scenario (allowed: name, description, symptom, cause, seed, clock, registrar, maintenance, pbx, faults, expect, run)',
      "1:1 symptom: is required",
      '24:3 expect.colour: unknown key "colour" in expect (allowed: outcome, connector, register, invite, callToPbx, provisioning, clientRegister, call, newUsers, tls, jwt, diagnose)',
      "23:14 expect.connector: must be one of available, unavailable",
      "11:47 clock.frozen: must be true or false",
      '11:65 clock.advance: must be a duration such as "31d", "2h30m" or "PT90S"',
      "12:37 registrar.duplicateRegistration: must be one of allow, reject, last-wins, flap",
      expect.stringMatching(/^16:38 faults\[0\]\.action\.status: /),
      expect.stringMatching(/^7:15 seed\.tenants\[0\]\.apiKey: /),
    ]);
  });

  it("reports YAML syntax errors at their line", () => {
    expect(issuesOf("name: demo\ndescription: [unclosed\n")).toEqual([expect.stringMatching(/^3:1 : /)]);
  });

  it("wants the name of the file, and a seed without clock or faults of its own", () => {
    expect(issuesOf(VALID, "other")).toEqual(['1:7 name: must equal the file name "other"']);
    const nested = VALID.replace("seed:\n", "seed:\n  clock: { frozen: true }\n");
    expect(issuesOf(nested)).toEqual([
      "6:3 seed.clock: use the scenario's top-level clock: instead of seed.clock",
    ]);
    expect(issuesOf("name: Bad_Name\n", "Bad_Name")[0]).toMatch(/^1:7 name: must be 1–40 lower-case letters/);
  });

  it("requires the outcome and the commands that reproduce the fault", () => {
    const bare =
      "name: demo\ndescription: d\nsymptom: s\ncause: c\nexpect: { connector: available }\nrun: []\n";
    expect(issuesOf(bare)).toEqual([
      "6:6 run: must be a non-empty list of texts",
      "5:9 expect.outcome: is required",
    ]);
  });
});

describe("ScenarioCatalog", () => {
  it("finds the package's scenarios/ folder from its own module, and every file there validates", () => {
    const catalog = new ScenarioCatalog();
    expect(catalog.dir).toBe(defaultScenariosDir());
    const packageScenarios = fileURLToPath(new URL("../../../scenarios", import.meta.url));
    expect(path.resolve(catalog.dir)).toBe(path.resolve(packageScenarios));
    expect(catalog.names().length).toBeGreaterThanOrEqual(15);
    for (const name of catalog.names()) {
      const s = catalog.load(name);
      expect(s.name).toBe(name);
      expect(s.run[0]).toContain(`--scenario ${name}`);
      for (const fault of s.faults) expect(fault.id).toMatch(new RegExp(`^scenario\\.${name}\\.`));
    }
    expect(catalog.list().filter((item) => item.error !== undefined)).toEqual([]);
  });

  it("lists a broken file with its first problem, and tells an unknown name from a broken file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-scenarios-"));
    writeFileSync(path.join(dir, "demo.yaml"), VALID);
    writeFileSync(
      path.join(dir, "broken.yaml"),
      VALID.replace("name: demo", "name: broken").replace("cause: Why it happens.\n", ""),
    );
    writeFileSync(path.join(dir, "notes.txt"), "not a scenario");
    const catalog = new ScenarioCatalog(dir);
    expect(catalog.names()).toEqual(["broken", "demo"]);
    expect(catalog.list()).toEqual([
      {
        name: "broken",
        description: "",
        symptom: "",
        error: `${path.join(dir, "broken.yaml")}:1:1: cause: is required`,
      },
      { name: "demo", description: "A demo scenario.", symptom: "Something the PBX shows" },
    ]);
    expect(() => catalog.load("broken")).toThrow(ScenarioError);
    expect(() => catalog.load("nope")).toThrow(new ScenarioNotFoundError("nope", ["broken", "demo"]));
    expect(() => catalog.load("nope")).toThrow('no scenario "nope" (available: broken, demo)');
    expect(catalog.resolve(path.join(dir, "demo.yaml")).name).toBe("demo");
    expect(new ScenarioCatalog(path.join(dir, "missing")).names()).toEqual([]);
  });
});
