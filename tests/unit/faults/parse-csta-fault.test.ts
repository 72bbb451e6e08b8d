import { describe, expect, it } from "vitest";
import { FaultEngine, FaultRuleError, parseFaultRule } from "../../../src/faults/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";

const problems = (rule: unknown) => {
  try {
    parseFaultRule(rule);
  } catch (error) {
    if (error instanceof FaultRuleError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
};

const context = (service: string, users: string[] = []) => ({
  service,
  trunk: ["t1", "gtc-001", "3919209257"],
  tenant: ["ten1", "Acme"],
  users,
});

describe("csta fault rules", () => {
  it("accept each action with its defaults", () => {
    expect(
      parseFaultRule({ layer: "csta", action: { type: "error", value: "invalidDeviceID" } }),
    ).toMatchObject({
      action: { type: "error", category: "operation", value: "invalidDeviceID" },
    });
    expect(
      parseFaultRule({ layer: "csta", match: { trunk: "gtc-001" }, action: { type: "session-refuse" } }),
    ).toMatchObject({ action: { type: "session-refuse" } });
  });

  it("name the field of every mistake", () => {
    expect(
      problems({ layer: "csta", action: { type: "error", value: "no such", category: "nope" } }),
    ).toEqual([
      expect.stringMatching(/^fault\.action\.category: must be one of operation, /),
      "fault.action.value: must be an ECMA-269 error value such as invalidDeviceID (letters and digits)",
    ]);
    expect(
      problems({ layer: "csta", match: { service: "DeliveredEvent" }, action: { type: "no-response" } }),
    ).toEqual(["fault.match.service: no-response acts on requests the connector sends, not DeliveredEvent"]);
    expect(
      problems({ layer: "csta", match: { user: "2131" }, action: { type: "session-refuse", status: 200 } }),
    ).toEqual([
      "fault.match.user: session-refuse acts on the trunk's session: match trunk or tenant only",
      "fault.action.status: must be an integer from 300 to 699",
    ]);
    expect(problems({ layer: "csta", match: { service: ["<x>"] }, action: { type: "drop-event" } })).toEqual([
      "fault.match.service: must be a CSTA message name (MakeCall, DeliveredEvent) or a list of them",
    ]);
  });

  it("act at one point each, matched by service, trunk and user", () => {
    const engine = new FaultEngine(new ControllableClock({ start: 0, frozen: true }));
    engine.add({
      id: "drop",
      layer: "csta",
      match: { service: "DeliveredEvent", user: "2131" },
      action: { type: "drop-event" },
    });
    engine.add({
      id: "refuse",
      layer: "csta",
      match: { trunk: "GTC-001" },
      action: { type: "session-refuse" },
    });
    expect(engine.hasRulesFor("csta.request")).toBe(false);
    expect(engine.check("csta.event", context("DeliveredEvent", ["2132"]))).toBeUndefined();
    expect(engine.check("csta.event", context("EstablishedEvent", ["2131"]))).toBeUndefined();
    expect(engine.check("csta.event", context("DeliveredEvent", ["2131"]))?.faultId).toBe("drop");
    expect(engine.check("csta.session", context("session"))?.faultId).toBe("refuse");
  });
});
