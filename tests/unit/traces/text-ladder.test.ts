import { describe, expect, it } from "vitest";
import { formatLadder } from "../../../src/traces/text-ladder.js";
import { connectionEntry, okText, optionsText, sipEntry } from "./trace-fixtures.js";

describe("formatLadder", () => {
  it("draws an arrow per SIP message with the message indented below it", () => {
    const text = formatLadder([
      sipEntry("in", optionsText("lad-1"), { at: Date.parse("2025-03-01T09:00:00.000Z") }),
      sipEntry("out", okText("lad-1"), {
        at: Date.parse("2025-03-01T09:00:00.004Z"),
        tenantId: "t1",
        trunkName: "gtc-001",
      }),
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^# unify-phone-emulator trace: 2 entries/);
    expect(lines[1]).toBe(
      "2025-03-01T09:00:00.000Z  c1  PBX 127.0.0.1:51234 ──OPTIONS──▶ connector 127.0.0.1:65061  TLS",
    );
    expect(lines[2]).toBe("        │ OPTIONS sip:phoneapp.unify.com SIP/2.0");
    expect(lines[3]).toBe("        │ Via: SIP/2.0/TLS 127.0.0.1:51234;branch=z9hG4bKlad-1");
    const response = lines.findIndex((l) => l.includes("◀──"));
    expect(lines[response]).toBe(
      "2025-03-01T09:00:00.004Z  c1  PBX 127.0.0.1:51234 ◀──200 OK── connector 127.0.0.1:65061  TLS  [tenant t1, trunk gtc-001]",
    );
    expect(lines[response + 1]).toBe("        │ SIP/2.0 200 OK");
    expect(text.endsWith("│ Content-Length: 0\n")).toBe(true);
  });

  it("keeps a body below the empty line", () => {
    const text = formatLadder([sipEntry("in", optionsText("b", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n"))]);
    expect(text).toContain(
      "        │ Content-Length: 29\n        │ \n        │ v=0\n        │ o=- 1 1 IN IP4 1.2.3.4\n",
    );
  });

  it("has one line for connections, REST calls, call events and fault hits", () => {
    const at = Date.parse("2025-03-01T09:00:00Z");
    const text = formatLadder([
      connectionEntry("closed", { reason: "idle timeout" }),
      {
        seq: 1,
        kind: "http",
        at,
        wallAt: at,
        method: "GET",
        path: "/api/admin/calls",
        status: 200,
        latencyMs: 1.25,
        requestId: "req-7",
      },
      { seq: 2, kind: "call", at, wallAt: at, callId: "call-000001", type: "ended", detail: "BYE from PBX" },
      {
        seq: 3,
        kind: "fault",
        at,
        wallAt: at,
        faultId: "f1",
        point: "sip-in",
        action: "respond 503",
        detail: "REGISTER",
      },
    ]);
    expect(text).toContain(
      "c1  TLS connection closed: PBX 127.0.0.1:51234 — connector 127.0.0.1:65061 (idle timeout)",
    );
    expect(text).toContain("2025-03-01T09:00:00.000Z  http  GET /api/admin/calls → 200  1.3 ms  req-7");
    expect(text).toContain("2025-03-01T09:00:00.000Z  call  call-000001 ended: BYE from PBX");
    expect(text).toContain("2025-03-01T09:00:00.000Z  fault f1 at sip-in: respond 503 — REGISTER");
  });

  it("brackets IPv6 addresses", () => {
    const text = formatLadder([
      sipEntry("in", optionsText("v6"), {
        peer: { address: "::1", port: 5070 },
        local: { address: "::1", port: 65061 },
      }),
    ]);
    expect(text).toContain("PBX [::1]:5070 ──OPTIONS──▶ connector [::1]:65061");
  });
});
