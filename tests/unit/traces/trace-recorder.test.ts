import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ControllableClock } from "../../../src/shared/clock.js";
import type { TraceOwner } from "../../../src/traces/trace-entry.js";
import { TraceRecorder } from "../../../src/traces/trace-recorder.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { okText, optionsText } from "./trace-fixtures.js";

const START = Date.parse("2025-03-01T09:00:00Z");

function recorder(options: Partial<ConstructorParameters<typeof TraceRecorder>[0]> = {}) {
  const clock = new ControllableClock({ start: START, frozen: true });
  return { clock, trace: new TraceRecorder({ capacity: 100, clock, ...options }) };
}

describe("TraceRecorder", () => {
  it("keeps large SIP messages within its byte budget, oldest dropped first", () => {
    const { trace } = recorder({ capacity: 10_000, maxBytes: 200_000 });
    const conn = new FakeConnection({ reliable: true });
    const big = (id: string) => `${optionsText(id)}${"x".repeat(60_000)}`;
    for (let i = 0; i < 20; i++) trace.tap.received(Buffer.from(big(`o${i}`)), conn);
    const kept = trace.entries();
    expect(kept.length).toBe(3);
    expect(kept.map((e) => e.kind === "sip" && e.summary.callId)).toEqual(["o17", "o18", "o19"]);
    expect(trace.stats()).toMatchObject({ size: 3, recorded: 20, dropped: 17 });
  });

  it("counts the REST calls among the entries recorded, for the live event stream", () => {
    const { trace } = recorder({ capacity: 2 });
    const conn = new FakeConnection({ reliable: true });
    trace.tap.received(Buffer.from(optionsText("o1")), conn);
    for (let i = 0; i < 3; i++)
      trace.recordHttp({
        method: "GET",
        path: "/api/admin/clock",
        status: 200,
        latencyMs: 1,
        requestId: `r${i}`,
      });
    trace.recordCall({ callId: "call-000001", type: "invite" });
    trace.clear();
    expect(trace.stats()).toMatchObject({ recorded: 5, recordedHttp: 3 });
  });

  it("records what its tap sees, with direction, flow, summary and emulator time", () => {
    const { clock, trace } = recorder();
    const conn = new FakeConnection({ reliable: true });
    trace.tap.received(Buffer.from(optionsText("o1")), conn);
    clock.advance(250);
    trace.tap.sent(Buffer.from(okText("o1")), conn);
    const [inbound, outbound] = trace.entries();
    expect(inbound).toMatchObject({
      seq: 1,
      kind: "sip",
      direction: "in",
      at: START,
      connectionId: conn.id,
      transport: "TLS",
      local: { address: "127.0.0.1", port: 65061 },
      peer: { address: "127.0.0.1", port: 5070 },
      message: optionsText("o1"),
      size: Buffer.byteLength(optionsText("o1")),
      summary: { method: "OPTIONS", callId: "o1", cseq: "1 OPTIONS" },
    });
    expect(outbound).toMatchObject({ seq: 2, direction: "out", at: START + 250, summary: { status: 200 } });
    expect(typeof inbound!.wallAt).toBe("number");
  });

  it("names the tenant and trunk of a connection when the resolver knows them", () => {
    const owners = new Map([["known", { tenantId: "t1", trunkId: "tr1", trunkName: "gtc-001" }]]);
    const { trace } = recorder({ resolve: (id) => owners.get(id) });
    const known = Object.assign(new FakeConnection({ reliable: true }), { id: "known" });
    trace.tap.received(Buffer.from(optionsText("a")), known);
    trace.tap.received(Buffer.from(optionsText("b")), new FakeConnection({ reliable: true }));
    const [a, b] = trace.entries();
    expect(a).toMatchObject({ tenantId: "t1", trunkId: "tr1", trunkName: "gtc-001" });
    expect(b).not.toHaveProperty("trunkId");
  });

  it("gives each SIP entry the owner its connection had then, however often the resolver answers anew", () => {
    let owner: TraceOwner | undefined;
    // A new object per lookup, as the emulator's resolver gives.
    const { trace } = recorder({ resolve: () => owner && { ...owner } });
    const conn = new FakeConnection({ reliable: true });
    const steps: (TraceOwner | undefined)[] = [
      { tenantId: "t1", trunkId: "tr1", trunkName: "gtc-001" },
      { tenantId: "t1", trunkId: "tr1", trunkName: "gtc-001" },
      { tenantId: "t1", trunkId: "tr1", trunkName: "renamed" },
      { tenantId: "t1", trunkId: "tr1" },
      { tenantId: "t2", trunkId: "tr2", trunkName: "other" },
      undefined,
    ];
    steps.forEach((step, i) => {
      owner = step;
      trace.tap.received(Buffer.from(optionsText(`o${i}`)), conn);
    });
    // Two trunks on one connection: no entry inherits an owner (trace filter), each has its own.
    const entries = trace.entries({ kinds: ["sip"] }).map((e) => {
      const { tenantId, trunkId, trunkName } = e as TraceOwner;
      return { tenantId, trunkId, trunkName };
    });
    expect(entries).toEqual(
      steps.map((s) => ({ tenantId: s?.tenantId, trunkId: s?.trunkId, trunkName: s?.trunkName })),
    );
    expect(trace.entries()[3]).not.toHaveProperty("trunkName");
    expect(trace.entries()[5]).not.toHaveProperty("tenantId");
  });

  it("survives a resolver that throws (the transport path must not break)", () => {
    const { trace } = recorder({
      resolve: () => {
        throw new Error("boom");
      },
    });
    expect(() =>
      trace.tap.sent(Buffer.from(okText("x")), new FakeConnection({ reliable: true })),
    ).not.toThrow();
    expect(trace.entries()).toHaveLength(1);
  });

  it("records connections opened and closed, with the reason", () => {
    const { trace } = recorder();
    const conn = new FakeConnection({ reliable: false });
    trace.tap.opened?.(conn);
    trace.tap.closed?.(conn, "idle timeout");
    expect(trace.entries()).toMatchObject([
      { kind: "connection", event: "opened", transport: "UDP", connectionId: conn.id },
      { kind: "connection", event: "closed", reason: "idle timeout" },
    ]);
  });

  it("records REST calls, call events (with owner and legs) and fault hits", () => {
    const { trace } = recorder();
    trace.recordHttp({
      method: "GET",
      path: "/api/admin/calls",
      status: 200,
      latencyMs: 2.5,
      requestId: "req-1",
    });
    trace.recordCall(
      { callId: "call-000001", type: "answered", detail: "200 OK" },
      { tenantId: "t1", sipCallIds: ["inv-1"] },
    );
    trace.recordFault({ faultId: "f1", point: "sip-in", action: "drop", callId: "inv-1" });
    expect(trace.entries()).toMatchObject([
      { seq: 1, kind: "http", method: "GET", status: 200, requestId: "req-1" },
      {
        seq: 2,
        kind: "call",
        callId: "call-000001",
        type: "answered",
        tenantId: "t1",
        sipCallIds: ["inv-1"],
      },
      { seq: 3, kind: "fault", faultId: "f1", point: "sip-in", action: "drop" },
    ]);
  });

  it("keeps only the newest `capacity` entries and counts the rest", () => {
    const { trace } = recorder({ capacity: 3 });
    for (let i = 0; i < 5; i++) trace.recordFault({ faultId: `f${i}`, point: "p", action: "a" });
    expect(trace.entries().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(trace.stats()).toMatchObject({ capacity: 3, size: 3, recorded: 5, dropped: 2 });
  });

  it("clear() empties the buffer but seq numbers keep increasing", () => {
    const { trace } = recorder();
    trace.recordFault({ faultId: "f", point: "p", action: "a" });
    trace.clear();
    expect(trace.entries()).toEqual([]);
    trace.recordFault({ faultId: "g", point: "p", action: "a" });
    expect(trace.entries().map((e) => e.seq)).toEqual([2]);
  });

  it("appends every entry as a JSON line to a 0600 file, even with capacity 0", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "upe-trace-")), "trace.jsonl");
    const { trace } = recorder({ capacity: 0, file });
    trace.tap.received(Buffer.from(optionsText("f1")), new FakeConnection({ reliable: true }));
    trace.recordHttp({ method: "GET", path: "/healthz", status: 200, latencyMs: 0.1, requestId: "r" });
    await trace.close();
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toMatchObject([
      { seq: 1, kind: "sip", message: optionsText("f1") },
      { seq: 2, kind: "http", path: "/healthz" },
    ]);
    expect(trace.entries()).toEqual([]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(trace.stats().file).toBe(file);
  });

  it("fails at once on a trace file that cannot be opened", () => {
    expect(() => recorder({ file: "/nonexistent-dir/x/trace.jsonl" })).toThrow(/ENOENT/);
  });
});
