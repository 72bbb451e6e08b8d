import { describe, expect, it } from "vitest";
import { catalog, scenarioPerTest } from "../support/scenario-support.js";
import { until } from "../support/until.js";

/** The embedded mock takes the RTP ports right above the emulator's (mockRtpPorts). */
const PORTS = { emulator: { min: 52600, max: 52699 }, mock: { min: 52700, max: 52799 } };
const { start } = scenarioPerTest(PORTS);

interface JournalCall {
  state: string;
  finalStatus: number | null;
  hangupCause: string | null;
  refusedBy: "pbx" | "connector" | null;
  warning: string | null;
}

describe.each([
  "no-licence",
  "licence-expired",
  "not-trusted-external-user",
  "route-flag-off",
  "rtp-channels-exhausted",
])("scenario %s with --mock-osbiz", (name) => {
  it("the PBX refuses Al's call with its own answer; the journal and diagnose say it was the PBX", async () => {
    const hints = catalog.load(name).expect;
    const e = await start({ scenario: name, mockOsbiz: true });
    // One command: the emulator started the PBX of the scenario, and it registered.
    expect(e.emulator.mockOsbiz?.summary).toMatch(/^system osbiz-mock of Acme, registered as 3919209257/);
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual([hints.connector]);

    const tenantId = await e.tenantId("Acme");
    const al = (await e.http.admin("GET", `/api/admin/tenants/${tenantId}/users?search=al`)).body.items[0];
    const placed = await e.http.admin("POST", "/api/admin/calls", {
      fromUser: al.id,
      to: hints.callToPbx!.to,
    });
    expect(placed.status).toBe(201);
    const entry = async () =>
      (await e.http.admin("GET", `/api/admin/calls/${placed.body.id}`)).body as JournalCall;
    await until(async () => (await entry()).state === "ended", "the call to end");
    const call = await entry();
    expect(call.finalStatus).toBe(hints.callToPbx!.status);
    expect(call.hangupCause).toContain(hints.callToPbx!.reason);
    expect(call.refusedBy).toBe(hints.callToPbx!.refusedBy);
    expect(call.warning).toBeTruthy();

    const problems = (await e.diagnose("Acme")).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/The PBX refused the last call to it .*the PBX refused calls/),
      ]),
    );
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(hints.diagnose![0]!)]));
  });
});

describe("--mock-osbiz without a PBX to start", () => {
  it("a scenario whose PBX cannot provision still starts the emulator, and the banner says why", async () => {
    const e = await start({ scenario: "api-key-regenerated", mockOsbiz: true });
    expect(e.emulator.mockOsbiz?.mock).toBeUndefined();
    expect(e.emulator.mockOsbiz?.summary).toMatch(/^failed: .*401/);
  });
});
