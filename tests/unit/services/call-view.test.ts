import { describe, expect, it } from "vitest";
import { Call } from "../../../src/b2bua/index.js";
import { callView } from "../../../src/services/index.js";
import { callSummary } from "../../../src/webhooks/webhook-payload.js";

const T0 = Date.UTC(2026, 0, 5, 9, 30);

function answeredCall(): Call {
  const call = new Call(
    "call-000007",
    "user-to-pbx",
    "tn_1",
    "tr_1",
    "gtc-001",
    "us_1",
    "+4923026672131",
    "3919209257",
    T0,
    "echo",
  );
  call.event(T0, "invite");
  call.ringingAt = T0 + 100;
  call.answeredAt = T0 + 2_000;
  call.state = "answered";
  call.finalStatus = 200;
  call.event(T0 + 2_000, "answered", "200 OK");
  call.dtmf.push({ digit: "5", via: "rfc4733", at: T0 + 3_000 });
  call.legs.push({ kind: "pbx", callId: "abc@pbx", status: 200 });
  return call;
}

describe("call view (journal entry)", () => {
  it("shows times in ISO 8601 and the duration from the answer up to now while the call lasts", () => {
    const view = callView(answeredCall(), T0 + 7_000);
    expect(view).toMatchObject({
      id: "call-000007",
      trunk: "gtc-001",
      createdAt: "2026-01-05T09:30:00.000Z",
      ringingAt: "2026-01-05T09:30:00.100Z",
      answeredAt: "2026-01-05T09:30:02.000Z",
      endedAt: null,
      durationMs: 5_000,
      media: null,
      dtmf: [{ digit: "5", via: "rfc4733", at: "2026-01-05T09:30:03.000Z" }],
      legs: [{ kind: "pbx", callId: "abc@pbx", status: 200 }],
    });
    expect(view.events).toEqual([
      { at: "2026-01-05T09:30:00.000Z", type: "invite" },
      { at: "2026-01-05T09:30:02.000Z", type: "answered", detail: "200 OK" },
    ]);
  });

  it("keeps the duration of an ended call, and has none for a call never answered", () => {
    const ended = answeredCall();
    ended.endedAt = T0 + 9_500;
    ended.state = "ended";
    expect(callView(ended, T0 + 60_000).durationMs).toBe(7_500);
    const unanswered = new Call(
      "call-8",
      "pbx-to-user",
      "tn_1",
      "tr_1",
      "gtc-001",
      null,
      "1",
      "2",
      T0,
      "echo",
    );
    expect(callView(unanswered, T0 + 60_000).durationMs).toBeNull();
  });

  it("gives the webhook the journal's own fields for the call, plus the path to the full entry", () => {
    const call = answeredCall();
    const view = callView(call, T0 + 7_000);
    const { journal, ...summary } = callSummary(call);
    expect(journal).toBe("/api/admin/calls/call-000007");
    for (const [key, value] of Object.entries(summary)) expect(view).toHaveProperty(key, value);
    expect(Object.keys(summary)).toEqual([
      "id",
      "direction",
      "state",
      "tenantId",
      "trunkId",
      "trunk",
      "userId",
      "from",
      "to",
      "finalStatus",
      "hangupCause",
    ]);
  });
});
