import { describe, expect, it } from "vitest";
import { type CallToPbxView, callToPbxCause } from "../../../src/services/diagnose-causes.js";

const refused = (over: Partial<CallToPbxView>): CallToPbxView => ({
  to: "+4930123456",
  createdAt: Date.UTC(2026, 0, 5, 9, 30),
  answeredAt: null,
  finalStatus: 503,
  hangupCause: "503 RTP proxy channels exhausted",
  refusedBy: "pbx",
  warning: "all 60 RTP proxy channels are in use",
  ...over,
});

describe("the last call toward the PBX, refused", () => {
  it("by the PBX: names the check that failed, with the PBX's Warning", () => {
    expect(callToPbxCause(refused({}))).toMatch(
      /^The PBX refused the last call to it \(to \+4930123456 at 2026-01-05T09:30:00.000Z\): 503 RTP proxy channels exhausted \(Warning: "all 60 RTP proxy channels are in use"\) — the PBX refused calls: RTP proxy channels exhausted/,
    );
    const licence = refused({
      finalStatus: 403,
      hangupCause: "403 Unify Phone licence expired",
      warning: null,
    });
    expect(callToPbxCause(licence)).toMatch(/Unify Phone licence is expired/);
    const trusted = refused({ finalStatus: 403, hangupCause: "403 Not a Trusted External User" });
    expect(callToPbxCause(trusted)).toMatch(/"Trusted External User" in the PBX's user wizard/);
    const route = refused({ finalStatus: 404, hangupCause: "404 No route to Unify Phone" });
    expect(callToPbxCause(route)).toMatch(/route flag is off/);
  });

  it("by the connector's line limit: says it is the connector, not the PBX", () => {
    const busy = refused({
      refusedBy: "connector",
      hangupCause: "all trunk lines busy (4/4)",
      warning: null,
    });
    expect(callToPbxCause(busy)).toMatch(
      /^The connector refused the last call to the PBX .*: 503 all trunk lines busy \(4\/4\) — the connector's own line limit/,
    );
  });

  it("nothing for an answered call, a plain busy user, or a refusal without a cause it knows", () => {
    expect(callToPbxCause(refused({ answeredAt: 1 }))).toBeUndefined();
    expect(callToPbxCause(refused({ refusedBy: null }))).toBeUndefined();
    expect(
      callToPbxCause(refused({ finalStatus: 486, hangupCause: "486 Busy Here", warning: null })),
    ).toBeUndefined();
  });
});
