import { describe, expect, it } from "vitest";
import { applySeedFaults, FaultEngine } from "../../../src/faults/index.js";
import { parseSeed, SeedError } from "../../../src/seed/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";

const TENANTS = "tenants: []\n";

describe("applySeedFaults", () => {
  it("loads a seed's faults list into the engine; applying it again replaces its rules", () => {
    const engine = new FaultEngine(new ControllableClock({ frozen: true }));
    const seed = parseSeed(
      `${TENANTS}faults:\n  - id: busy\n    layer: sip\n    match: { method: REGISTER }\n    action: { type: respond, status: 503, retryAfter: 60 }\n  - layer: tls\n    action: { type: refuse }\n    when: { firstN: 3 }\n`,
    );
    const added = applySeedFaults(engine, seed);
    expect(added.map((r) => r.id)).toEqual(["busy", "seed-2"]);
    engine.check("sip.in", {
      kind: "request",
      method: "REGISTER",
      header: () => [],
      trunk: [],
      tenant: [],
      users: [],
    });
    expect(engine.get("busy")?.hits).toBe(1);
    applySeedFaults(engine, seed);
    expect(engine.list().map((r) => r.id)).toEqual(["busy", "seed-2"]);
    expect(engine.get("busy")?.hits).toBe(0);
    expect(engine.get("busy")?.action).toEqual({ type: "respond", status: 503, retryAfter: 60 });
  });

  it("adds nothing for a seed without faults", () => {
    const engine = new FaultEngine(new ControllableClock({ frozen: true }));
    expect(applySeedFaults(engine, parseSeed(TENANTS))).toEqual([]);
  });

  it("names the file, the path and the line of each problem", () => {
    const engine = new FaultEngine(new ControllableClock({ frozen: true }));
    const seed = parseSeed(
      `${TENANTS}faults:\n  - layer: sip\n    action:\n      type: respond\n      status: 42\n`,
      "lab.yaml",
    );
    try {
      applySeedFaults(engine, seed);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SeedError);
      expect((error as SeedError).issues).toEqual([
        {
          path: "faults[0].action.status",
          message: "must be an integer from 200 to 699",
          line: 6,
          column: 15,
        },
      ]);
      expect((error as Error).message).toContain("lab.yaml:6:15: faults[0].action.status");
    }
    expect(engine.list()).toEqual([]);
  });
});
