import { describe, expect, it } from "vitest";
import { AL, catalog, scenarioPerTest } from "../support/scenario-support.js";

/*
 * Scenario cti-link-down with --mock-osbiz, checked from outside: the trunk is up and a call
 * from the PBX to Al is answered, but Al's desk phone cannot be controlled through the REST
 * (409 cti_not_connected naming the refused CSTA session), and diagnose names the CTI link.
 */
const PORTS = { emulator: { min: 54000, max: 54099 }, mock: { min: 54100, max: 54199 } };
const { start } = scenarioPerTest(PORTS);

describe("scenario cti-link-down with --mock-osbiz", () => {
  it("desk phone cannot be controlled from the app; calls still work", async () => {
    const hints = catalog.load("cti-link-down").expect;
    const e = await start({ scenario: "cti-link-down", mockOsbiz: true });
    const mock = e.emulator.mockOsbiz?.mock;
    expect(mock).toBeDefined();
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual([hints.connector]);

    const tenantId = await e.tenantId("Acme");
    const al = (await e.http.admin("GET", `/api/admin/tenants/${tenantId}/users?search=al`)).body.items[0];
    const deskPhone = `/api/admin/tenants/${tenantId}/users/${al.id}/desk-phone`;
    for (const [action, body] of [
      ["dnd", { on: true }],
      ["answer", {}],
    ] as const) {
      const res = await e.http.admin("POST", `${deskPhone}/${action}`, body);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("cti_not_connected");
      expect(res.body.detail).toContain("CSTA session refused: 403 Forbidden");
    }
    expect((await e.http.admin("GET", deskPhone)).body).toMatchObject({
      cti: "disconnected",
      monitored: false,
    });
    // The PBX never saw a CSTA session, so its desk phone kept its own state.
    expect(mock!.cstaSessions).toHaveLength(0);
    expect(mock!.deskPhone("2131").dnd).toBe(false);

    // Calls still work: the PBX calls Al over the trunk and the call is answered.
    const call = await mock!.call(AL);
    expect(call.state).toBe("answered");
    await call.hangup();

    const problems = (await e.diagnose("Acme")).problems;
    expect(problems).toEqual([
      expect.stringMatching(
        /^gtc-001: The PBX refuses the CTI link \(the uaCSTA session for desk-phone control\) with 403 Forbidden \(fault "the PBX refuses the CTI \(CSTA\) session" \(2 hits, .*\): the app cannot see or control desk phones, calls are not affected — /,
      ),
    ]);
    expect(problems[0]).toContain(hints.diagnose![0]!);
    const faults = (await e.http.admin("GET", "/api/admin/trace?kind=fault")).body.entries as {
      faultId: string;
      detail: string;
    }[];
    expect(faults.filter((f) => f.faultId.endsWith(".cti-session-refused")).map((f) => f.detail)).toEqual([
      "refuse the CSTA session (403): session on trunk gtc-001",
      "refuse the CSTA session (403): session on trunk gtc-001",
    ]);
  });
});
