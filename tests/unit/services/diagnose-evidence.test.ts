import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RegisterAttempt, TrunkStatusEvent } from "../../../src/registrar/index.js";
import { transportFailureCause } from "../../../src/services/diagnose-causes.js";
import { DiagnoseEvidence, type TransportReport } from "../../../src/services/diagnose-evidence.js";
import { Listeners } from "../../../src/shared/listeners.js";

function recorder() {
  let now = 1_000;
  const sources = {
    now: () => now,
    trunkStatus: new Listeners<TrunkStatusEvent>(),
    attempts: new Listeners<RegisterAttempt>(),
    transport: new Listeners<TransportReport>(),
  };
  const evidence = new DiagnoseEvidence(sources);
  return { evidence, sources, at: (ms: number) => (now = ms) };
}

describe("DiagnoseEvidence", () => {
  it("keeps failed handshakes per source address (any port), counted, newest first", () => {
    const { evidence, sources, at } = recorder();
    sources.transport.emit({ type: "tls-error", remote: "10.0.0.1:5061", message: "a" });
    at(2_000);
    sources.transport.emit({ type: "tls-error", remote: "10.0.0.1:5062", message: "b" });
    sources.transport.emit({ type: "tls-error", remote: "[::1]:5063", message: "c" });
    sources.transport.emit({ type: "protocol-error", remote: "10.0.0.2:1", message: "400 Bad Request" });
    sources.transport.emit({ type: "listener-error", message: "EADDRINUSE" });
    expect(evidence.failuresSince(0).map((f) => [f.address, f.message, f.count, f.at])).toEqual([
      ["10.0.0.1", "b", 2, 2_000],
      ["::1", "c", 1, 2_000],
    ]);
    expect(evidence.failuresSince(2_001)).toEqual([]);
  });

  it("remembers at most 256 sources, forgetting the one that failed least recently", () => {
    const { evidence, sources, at } = recorder();
    for (let i = 0; i < 300; i++) {
      at(i);
      sources.transport.emit({ type: "tls-error", remote: `10.0.${i >> 8}.${i & 255}:1`, message: "x" });
    }
    const kept = evidence.failuresSince(0);
    expect(kept).toHaveLength(256);
    expect(kept.at(-1)!.address).toBe("10.0.0.44");
  });

  it("keeps per trunk the last refused and accepted REGISTER and the last 20 drops", () => {
    const { evidence, sources } = recorder();
    const attempt = (status: number, at: number) =>
      sources.attempts.emit({ trunkId: "t1", status, reason: String(status), at, remote: "10.0.0.1:1" });
    attempt(403, 1);
    attempt(200, 2);
    for (let i = 0; i < 25; i++)
      sources.trunkStatus.emit({
        trunkId: "t1",
        tenantId: "tn",
        status: "unavailable",
        reason: `r${i}`,
        at: i,
      });
    sources.trunkStatus.emit({
      trunkId: "t1",
      tenantId: "tn",
      status: "available",
      reason: "registered",
      at: 30,
    });
    const t1 = evidence.forTrunk("t1");
    expect([t1.lastRefusal?.status, t1.lastSuccess?.status, t1.lastStatus?.status]).toEqual([
      403,
      200,
      "available",
    ]);
    expect(t1.drops.map((d) => d.reason)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i + 5}`));
    expect(evidence.forTrunk("unknown")).toEqual({ drops: [] });
  });
});

describe("DiagnoseEvidence per trunk", () => {
  it("keeps at most 10,000 trunks (deleted ones are never announced), forgetting the one heard from least recently", () => {
    const { evidence, sources } = recorder();
    const attempt = (trunkId: string, at: number) =>
      sources.attempts.emit({ trunkId, status: 200, reason: "OK", at, remote: "127.0.0.1:1" });
    for (let i = 0; i < 10_000; i++) attempt(`t${i}`, i);
    attempt("t0", 10_000);
    attempt("t-new", 10_001);
    expect(evidence.forTrunk("t0").lastSuccess?.at).toBe(10_000);
    expect(evidence.forTrunk("t1")).toEqual({ drops: [] });
    expect(evidence.forTrunk("t2").lastSuccess?.at).toBe(2);
    expect(evidence.forTrunk("t-new").lastSuccess?.at).toBe(10_001);
  });

  it("forgets trunks strictly least recently heard first, however the trunks take turns", () => {
    // The model: a Map re-inserted on every event, its first key the least recently heard.
    // Mostly a few old trunks (the newest again, twice in a row...), or new ones that push old ones out.
    const turn = fc.oneof(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 9_990, max: 10_060 }));
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 200 }), (turns) => {
        const { evidence, sources } = recorder();
        const model = new Map<string, number>();
        const attempt = (trunkId: string, at: number) => {
          sources.attempts.emit({ trunkId, status: 200, reason: "OK", at, remote: "127.0.0.1:1" });
          model.delete(trunkId);
          model.set(trunkId, at);
          if (model.size > 10_000) model.delete(model.keys().next().value!);
        };
        for (let i = 0; i < 10_000; i++) attempt(`t${i}`, i);
        for (const [i, n] of turns.entries()) attempt(`t${n}`, 20_000 + i);
        for (let i = 0; i < 10_061; i++)
          expect(evidence.forTrunk(`t${i}`).lastSuccess?.at).toBe(model.get(`t${i}`));
      }),
      { numRuns: 15 },
    );
  });
});

describe("DiagnoseEvidence API key refusals", () => {
  it("count per address until a request from it gets through again", () => {
    const { evidence, at } = recorder();
    evidence.recordApiKey("10.0.0.1", false);
    at(2_000);
    evidence.recordApiKey("10.0.0.1", false);
    evidence.recordApiKey("10.0.0.2", false);
    evidence.recordApiKey("10.0.0.2", true);
    expect(evidence.apiKeyRefusals()).toEqual([{ address: "10.0.0.1", count: 2, at: 2_000 }]);
    evidence.recordApiKey("10.0.0.1", true);
    expect(evidence.apiKeyRefusals()).toEqual([]);
  });
});

describe("transportFailureCause", () => {
  const tls = { min: "TLSv1.2", max: "TLSv1.3" };
  const failure = (message: string, kind: "tls-error" | "connection-refused" = "tls-error") => ({
    address: "10.0.0.1",
    kind,
    message,
    at: 0,
    count: 1,
  });
  it.each([
    [
      "error:0A000102:SSL routines:tls_early_post_process_client_hello:unsupported protocol",
      "share no TLS version (the connector accepts TLSv1.2–TLSv1.3) — enable TLSv1.2 or later on the PBX",
    ],
    ["TLS handshake not finished in time", "do not finish in time"],
    ["SSL alert number 45", "rejects the connector's certificate as expired"],
    ["tlsv1 alert unknown ca", "does not accept the connector's certificate"],
    ["no shared cipher", "no cipher suite in common"],
    ["socket hang up", "closes the connection during the TLS handshake"],
    ["something else", "fail (something else; 1 time"],
  ])("%s → %s", (message, sentence) => {
    expect(transportFailureCause(failure(message), tls)).toContain(sentence);
  });
  it("a refused connection points at the connection limit", () => {
    expect(transportFailureCause(failure("connection limit", "connection-refused"), tls)).toMatch(
      /^connections from 10\.0\.0\.1 are refused \(connection limit; 1 time, last at .*\) — the PBX holds too many connections/,
    );
  });
});
