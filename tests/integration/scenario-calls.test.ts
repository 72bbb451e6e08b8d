import { describe, expect, it } from "vitest";
import { CallFailedError } from "../../src/mock-osbiz/index.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { ACME_TRUNK, AL, catalog, scenarioPerTest } from "../support/scenario-support.js";

const PORTS = { emulator: { min: 47000, max: 47499 }, mock: { min: 47500, max: 47999 } };

const { withScenario } = scenarioPerTest(PORTS);

async function failure(call: Promise<unknown>): Promise<CallFailedError> {
  const error = await call.then(
    () => new Error("the call was answered"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallFailedError);
  return error as CallFailedError;
}

describe("scenarios the PBX sees as 'no calls possible'", () => {
  it("all-lines-busy: with the one line in use, the next INVITE gets 503 all trunk lines busy (1/1)", async () => {
    const { expect: hints } = catalog.load("all-lines-busy");
    const e = await withScenario("all-lines-busy");
    const pbx = await e.mock({ keepAliveMs: 0 });
    const first = await pbx.call(AL);
    expect(first.state).toBe("answered");

    const refused = await failure(pbx.call(hints.invite!.to!));
    expect(refused.status).toBe(hints.invite?.status);
    expect(refused.reason).toBe(`Service Unavailable: ${hints.invite?.reason}`);
    expect(hints.invite).toEqual({ to: "+4923026672132", status: 503, reason: "all trunk lines busy (1/1)" });

    const diagnosis = await e.diagnose("Acme");
    expect(diagnosis.trunks[0]!.lines).toEqual({ inUse: 1, limit: 1 });
    expect(diagnosis.problems).toEqual([expect.stringContaining(hints.diagnose![0]!)]);
    const ended = (await e.http.admin("GET", "/api/admin/calls?state=ended")).body;
    expect(ended).toEqual([
      expect.objectContaining({ finalStatus: 503, hangupCause: "all trunk lines busy" }),
    ]);

    await first.hangup();
    expect((await pbx.call(hints.invite!.to!)).state).toBe("answered");
  });

  it("numbering-mismatch: the E.164 number the PBX dials gets 404 naming the internal numbering plan", async () => {
    const { expect: hints } = catalog.load("numbering-mismatch");
    const e = await withScenario("numbering-mismatch");
    const pbx = await e.mock({ keepAliveMs: 0 });
    const refused = await failure(pbx.call(hints.invite!.to!));
    expect(hints.invite?.to).toBe(AL);
    expect(refused.status).toBe(404);
    expect(refused.reason).toBe(`Not Found: ${AL} ${hints.invite?.reason}`);
    expect(refused.reason).toMatch(/numbering plan \(internal short numbers\)$/);
    expect((await pbx.call("2131")).state).toBe("answered");
  });

  it("numbering-mismatch is fixed by running the wizard with the PBX's numbering", async () => {
    const e = await withScenario("numbering-mismatch");
    const numbering = {
      schema: "international" as const,
      countryCode: "49",
      areaCode: "2302",
      pabxNumber: "667",
    };
    const pbx = await e.mock({ keepAliveMs: 0, numbering });
    expect((await pbx.call(AL)).state).toBe("answered");
  });

  it("srtp-misconfigured: an SRTP-only offer gets 488, the same call with RTP is answered", async () => {
    const { expect: hints } = catalog.load("srtp-misconfigured");
    const e = await withScenario("srtp-misconfigured");
    const pbx = await PbxTestUa.connect(e.emulator, ACME_TRUNK.username, ACME_TRUNK.password);
    try {
      expect((await pbx.register()).status).toBe(200);
      const srtp = pbx.sendInvite(hints.invite!.to!, sdpOffer(47998, { srtpOnly: true }));
      const refused = await pbx.response(srtp.callId);
      expect(refused.status).toBe(hints.invite?.status);
      expect(refused.reason).toBe(`Not Acceptable Here: ${hints.invite?.reason}`);
      expect(hints.invite?.status).toBe(488);
      const rtp = pbx.sendInvite(hints.invite!.to!, sdpOffer(47996));
      expect((await pbx.response(rtp.callId)).status).toBe(200);
    } finally {
      pbx.client.close();
    }
  });
});
