import { describe, expect, it } from "vitest";
import type { TraceEntry } from "../../../src/traces/trace-entry.js";
import { filterTrace } from "../../../src/traces/trace-filter.js";
import { connectionEntry, okText, optionsText, sipEntry } from "./trace-fixtures.js";

const acme = { tenantId: "t-acme", trunkId: "tr-1", trunkName: "gtc-001" };

function sample(): TraceEntry[] {
  return [
    connectionEntry("opened"),
    sipEntry("in", optionsText("reg-1")),
    sipEntry("out", okText("reg-1"), acme),
    sipEntry("in", optionsText("other"), { connectionId: "c2", tenantId: "t-beta", trunkId: "tr-9" }),
    {
      seq: 100,
      kind: "call",
      at: 1_800_000_000_000,
      wallAt: 1,
      callId: "call-000001",
      type: "ringing",
      sipCallIds: ["inv-1"],
      ...acme,
    },
    sipEntry("in", optionsText("inv-1"), { ...acme, at: 1_800_000_000_001 }),
    {
      seq: 101,
      kind: "fault",
      at: 1_800_000_000_002,
      wallAt: 1,
      faultId: "f1",
      point: "sip-in",
      action: "respond 503",
      callId: "inv-1",
    },
    {
      seq: 102,
      kind: "http",
      at: 1_800_000_000_003,
      wallAt: 1,
      method: "GET",
      path: "/api/admin/calls",
      status: 200,
      latencyMs: 1.5,
      requestId: "req-1",
      tenantId: "t-acme",
    },
  ];
}

const seqs = (entries: TraceEntry[]) =>
  entries.map((e) => e.kind + (e.kind === "sip" ? `:${e.summary.callId}` : ""));

describe("filterTrace", () => {
  it("returns everything, oldest first, without a filter", () => {
    expect(filterTrace(sample())).toHaveLength(8);
  });

  it("filters by trunk id or name; a connection's early entries inherit its owner", () => {
    const byName = filterTrace(sample(), { trunk: "gtc-001" });
    expect(seqs(byName)).toEqual(["connection", "sip:reg-1", "sip:reg-1", "call", "sip:inv-1"]);
    expect(seqs(filterTrace(sample(), { trunk: "tr-1" }))).toEqual(seqs(byName));
    const inherited = byName[1]!;
    expect(inherited.kind === "sip" && inherited.trunkName).toBe("gtc-001");
  });

  it("does not guess an owner when a connection carried two trunks", () => {
    const entries = [
      sipEntry("in", optionsText("x"), { connectionId: "c7" }),
      sipEntry("out", okText("x"), { connectionId: "c7", trunkId: "a" }),
      sipEntry("out", okText("y"), { connectionId: "c7", trunkId: "b" }),
    ];
    expect(filterTrace(entries, { trunk: "a" })).toHaveLength(1);
  });

  it("filters by tenant (SIP, calls and REST calls)", () => {
    expect(seqs(filterTrace(sample(), { tenant: "t-acme" }))).toEqual([
      "connection",
      "sip:reg-1",
      "sip:reg-1",
      "call",
      "sip:inv-1",
      "http",
    ]);
    expect(seqs(filterTrace(sample(), { tenant: "t-beta" }))).toEqual(["sip:other"]);
  });

  it("filters by SIP Call-ID, taking the call's events and fault hits along", () => {
    expect(seqs(filterTrace(sample(), { callId: "inv-1" }))).toEqual(["call", "sip:inv-1", "fault"]);
  });

  it("filters by emulator call id, taking the SIP messages of its legs along", () => {
    expect(seqs(filterTrace(sample(), { callId: "call-000001" }))).toEqual(["call", "sip:inv-1", "fault"]);
  });

  it("filters by time (emulator clock) and kind, and keeps the newest N", () => {
    expect(seqs(filterTrace(sample(), { since: 1_800_000_000_001 }))).toEqual(["sip:inv-1", "fault", "http"]);
    expect(seqs(filterTrace(sample(), { kinds: ["http", "fault"] }))).toEqual(["fault", "http"]);
    expect(seqs(filterTrace(sample(), { limit: 2 }))).toEqual(["fault", "http"]);
    expect(seqs(filterTrace(sample(), { kinds: ["sip"], limit: 1 }))).toEqual(["sip:inv-1"]);
  });
});
