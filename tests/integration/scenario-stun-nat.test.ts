import { describe, expect, it } from "vitest";
import { scenarioPerTest } from "../support/scenario-support.js";
import { classifyNat } from "../support/stun-nat-classifier.js";

const PORTS = { emulator: { min: 53700, max: 53799 }, mock: { min: 53800, max: 53899 } };
const { withScenario } = scenarioPerTest(PORTS);

describe("scenario stun-symmetric-nat", () => {
  it("an RFC 5780 NAT check against the emulator's STUN port reports a symmetric NAT", async () => {
    const e = await withScenario("stun-symmetric-nat");
    // Filtering is endpoint-independent: every test is answered, nothing to wait out.
    const result = await classifyNat({ address: "127.0.0.1", port: e.emulator.ports.stun! }, () => false);
    expect(result).toMatchObject({
      mapping: "address-and-port-dependent",
      filtering: "endpoint-independent",
    });
    expect(result.mapped.address).toBe("203.0.113.7");
    expect((await e.faults()).find((f) => f.id === "scenario.stun-symmetric-nat.symmetric-nat")?.hits).toBe(
      5,
    );
  });
});
