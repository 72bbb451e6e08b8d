import { describe, expect, it } from "vitest";
import { Call } from "../../../src/b2bua/call.js";
import type { CtiCallNote } from "../../../src/b2bua/call-cti.js";
import { CallJournal } from "../../../src/b2bua/call-journal.js";

const note = (fields: Partial<CtiCallNote>): CtiCallNote => ({
  tenantId: "tn_1",
  userId: "us_al",
  trunkId: "tk_1",
  trunkName: "gtc-001",
  device: "2131",
  at: 1000,
  direction: "in",
  type: "DeliveredEvent",
  ...fields,
});

const appCall = (id: string) =>
  new Call(id, "pbx-to-user", "tn_1", "tk_1", "gtc-001", "us_al", "004930123456", "2131", 900, "echo");

describe("CSTA messages in the call journal", () => {
  it("joins the user's active connector call, then follows the CSTA callID after that call ended", () => {
    const journal = new CallJournal();
    const call = appCall("call-000001");
    journal.add(call);
    journal.recordCti(note({ cstaCallId: "7", local: "alerting" }));
    call.state = "ended";
    journal.end(call);
    journal.recordCti(note({ type: "EstablishedEvent", cstaCallId: "7", local: "connected" }));
    expect(call.cti.map((e) => e.type)).toEqual(["DeliveredEvent", "EstablishedEvent"]);
    expect(journal.lastDeskEntry("us_al")).toBe("call-000001");
    expect(journal.linesInUse("tk_1")).toBe(0);
  });

  it("a desk-only call gets a desk-phone entry (dialling notes first), ended by ConnectionCleared; no trunk line", () => {
    const journal = new CallJournal();
    journal.recordCti(note({ direction: "out", type: "MakeCall", invokeID: "3", cstaCallId: undefined }));
    journal.recordCti(note({ type: "ServiceInitiatedEvent", cstaCallId: "9", local: "initiated" }));
    const entry = journal.recordCti(
      note({
        type: "OriginatedEvent",
        cstaCallId: "9",
        calling: "2131",
        called: "004989700",
        local: "connected",
      }),
    )!;
    expect(entry).toMatchObject({
      kind: "desk-phone",
      direction: "user-to-pbx",
      to: "004989700",
      state: "answered",
    });
    expect(entry.cti.map((e) => e.type)).toEqual(["ServiceInitiatedEvent", "OriginatedEvent"]);
    expect(journal.list({ state: "active" })).toEqual([entry]);
    expect(journal.activeCalls()).toEqual([]);
    expect(journal.linesInUse("tk_1")).toBe(0);
    journal.recordCti(note({ type: "ConnectionClearedEvent", cstaCallId: "9", local: "null" }));
    expect(entry.state).toBe("ended");
    expect(journal.list({ state: "ended" })).toEqual([entry]);
  });

  it("messages naming no call and finding no active call are not kept; one entry keeps at most 200", () => {
    const journal = new CallJournal();
    expect(journal.recordCti(note({ type: "DoNotDisturbEvent" }))).toBeUndefined();
    const call = appCall("call-000002");
    journal.add(call);
    for (let i = 0; i < 250; i++) journal.recordCti(note({ type: "DoNotDisturbEvent", at: i }));
    expect(call.cti).toHaveLength(200);
  });
});
