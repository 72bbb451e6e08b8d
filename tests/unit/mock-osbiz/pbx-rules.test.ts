import { describe, expect, it } from "vitest";
import type { MockCall } from "../../../src/mock-osbiz/mock-call.js";
import { resolveMockOptions } from "../../../src/mock-osbiz/mock-options.js";
import { PbxGate } from "../../../src/mock-osbiz/pbx-gate.js";
import { callsForUplink, defaultRtpChannels, userLimit } from "../../../src/mock-osbiz/pbx-model.js";
import { refusalFor, refusalResponse, rtpExhausted, warnAgent } from "../../../src/mock-osbiz/pbx-refusal.js";
import { MockWizardError, PbxUserDirectory } from "../../../src/mock-osbiz/pbx-users.js";
import { RtpChannelPool } from "../../../src/mock-osbiz/rtp-channels.js";
import { Headers, SipRequest } from "../../../src/sip/message/index.js";

const base = { url: "https://127.0.0.1:8443", apiKey: "k" };
const NUMBERING = {
  schema: "international",
  countryCode: "49",
  areaCode: "2302",
  pabxNumber: "667",
} as const;

describe("sizing rules", () => {
  it("user limits by model: X1 50, X3/X5 150, X8/S 500; RTP channels 60 on X, 180 on S", () => {
    expect(["X1", "X3", "X5", "X8", "S"].map((m) => userLimit(m as "X1"))).toEqual([50, 150, 150, 500, 500]);
    expect(["X1", "X8", "S"].map((m) => defaultRtpChannels(m as "X1"))).toEqual([60, 60, 180]);
  });

  it("one call per 128 kbps upstream (2048 → 16), at most the RTP channels", () => {
    expect(callsForUplink(2048, 60)).toBe(16);
    expect(callsForUplink(127, 60)).toBe(0);
    expect(callsForUplink(20_000, 60)).toBe(60);
  });

  it("the options derive simultaneousCalls from the uplink unless given, and check every new field", () => {
    expect(resolveMockOptions({ ...base, uplinkKbps: 2048 }).simultaneousCalls).toBe(16);
    expect(resolveMockOptions({ ...base, uplinkKbps: 2048, simultaneousCalls: 2 }).simultaneousCalls).toBe(2);
    expect(resolveMockOptions(base)).toMatchObject({
      model: "X3",
      simultaneousCalls: undefined,
      rtpChannels: { total: 60, busy: 0 },
    });
    expect(() => resolveMockOptions({ ...base, model: "X2" as "X1" })).toThrow(RangeError);
    expect(() => resolveMockOptions({ ...base, uplinkKbps: -1 })).toThrow(/uplinkKbps -1/);
    expect(() => resolveMockOptions({ ...base, rtpChannels: { total: 2, busy: 3 } })).toThrow(
      /busy 3 exceeds rtpChannels.total 2/,
    );
    expect(() => resolveMockOptions({ ...base, expertMode: { registrarPort: 70_000 } })).toThrow(
      /registrarPort 70000/,
    );
    expect(() => resolveMockOptions({ ...base, expertMode: { transport: "udp" as "tcp" } })).toThrow(
      /transport "udp"/,
    );
    expect(() => resolveMockOptions({ ...base, expertMode: { domain: "a b" } })).toThrow(/domain "a b"/);
  });
});

describe("RTP channel pool", () => {
  it("shares the channels between load and Unify Phone calls; release is idempotent", () => {
    const pool = new RtpChannelPool(3);
    pool.occupy(1, "itsp");
    pool.occupy(1, "device-at-home");
    const release = pool.take();
    expect(release).toBeDefined();
    expect(pool.use()).toEqual({ total: 3, itsp: 1, deviceAtHome: 1, unifyPhone: 1 });
    expect(pool.take()).toBeUndefined();
    release!();
    release!();
    expect(pool.free).toBe(1);
    expect(() => pool.occupy(2, "itsp")).toThrow(/1 of 3 free/);
    expect(() => pool.release(2, "device-at-home")).toThrow(/1 held/);
    expect(() => pool.occupy(1.5, "itsp")).toThrow(RangeError);
  });
});

describe("the PBX's users", () => {
  it("resolves a callno, its E.164 DID and the national form; not other numbers", () => {
    const users = new PbxUserDirectory("X3");
    users.add({ callno: "2131" });
    for (const n of ["2131", "+4923026672131", "004923026672131", "023026672131"])
      expect(users.resolve(n, NUMBERING)?.callno, n).toBe("2131");
    expect(users.resolve("+4923026672132", NUMBERING)).toBeUndefined();
    expect(users.resolve("+4923026672131", { schema: "internal" })).toBeUndefined();
    expect(users.resolve("anonymous", NUMBERING)).toBeUndefined();
    users.add({ callno: "+4930555" });
    expect(users.resolve("+4930555", NUMBERING)?.callno).toBe("+4930555");
  });

  it("the wizard refuses the user past the model's limit, a taken callno, a bad field", () => {
    const users = new PbxUserDirectory("X1");
    for (let i = 0; i < 50; i++) users.add({ callno: String(100 + i) });
    expect(() => users.add({ callno: "999" })).toThrow(MockWizardError);
    expect(() => users.add({ callno: "999" })).toThrow(/X1 takes at most 50/);
    users.remove("100");
    expect(() => users.add({ callno: "101" })).toThrow(/already a user/);
    expect(() => users.add({ callno: "12a" })).toThrow(RangeError);
    expect(() => users.add({ callno: "1", licence: "maybe" as "none" })).toThrow(/licence "maybe"/);
    expect(() => users.update("100", { licence: "none" })).toThrow(/no user with callno 100/);
    expect(users.update("101", { licence: "none", trustedExternal: undefined })).toMatchObject({
      licence: "none",
      trustedExternal: true,
    });
  });

  it("checks licence, then station type, then route flag", () => {
    const user = { callno: "1", licence: "valid", trustedExternal: true, unifyPhoneRoute: true } as const;
    expect(refusalFor(user)).toBeUndefined();
    expect(refusalFor({ ...user, licence: "none", trustedExternal: false })).toMatchObject({
      status: 403,
      reason: "Unify Phone licence missing",
    });
    expect(refusalFor({ ...user, licence: "expired" })?.reason).toBe("Unify Phone licence expired");
    expect(refusalFor({ ...user, trustedExternal: false, unifyPhoneRoute: false })?.reason).toBe(
      "Not a Trusted External User",
    );
    expect(refusalFor({ ...user, unifyPhoneRoute: false })).toMatchObject({
      status: 404,
      reason: "No route to Unify Phone",
    });
  });

  it("a refusal carries its Warning: 399 with the PBX as warn-agent", () => {
    const headers = new Headers();
    for (const [n, v] of [
      ["via", "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1"],
      ["from", "<sip:a@x>;tag=1"],
      ["to", "<sip:b@x>"],
      ["call-id", "c1"],
      ["cseq", "1 INVITE"],
    ])
      headers.append(n!, v!);
    const response = refusalResponse(
      new SipRequest("INVITE", "sip:b@x", headers),
      rtpExhausted(60),
      "osbiz-1",
      "t1",
    );
    expect(response.status).toBe(503);
    expect(response.reason).toBe("RTP proxy channels exhausted");
    expect(warnAgent("osbiz-1")).toBe("osbiz-1");
    expect(warnAgent("Lab PBX")).toBe("osbiz");
    expect(response.headers.get("warning")).toBe(
      '399 osbiz-1 "all 60 RTP proxy channels are in use (ITSP, Device@Home and Unify Phone calls)"',
    );
  });
});

describe("the PBX's gate", () => {
  it("refuses for the first party failing a check, then for want of a channel; a held channel comes back when the call ends", () => {
    const users = new PbxUserDirectory("X3");
    users.add({ callno: "2131", licence: "expired" });
    users.add({ callno: "2132" });
    const gate = new PbxGate(users, new RtpChannelPool(1), () => NUMBERING);
    expect(gate.admit(["+4930123456", "+4923026672131"])).toMatchObject({ refusal: { status: 403 } });
    const admitted = gate.admit(["2132", "+4930123456"]);
    expect("release" in admitted).toBe(true);
    expect(gate.admit(["2132"])).toMatchObject({
      refusal: { status: 503, reason: "RTP proxy channels exhausted" },
    });
    const call = { active: true } as MockCall;
    gate.hold(call, (admitted as { release: () => void }).release);
    expect(gate.channels.free).toBe(0);
    gate.ended(call);
    expect(gate.channels.free).toBe(1);
    // A call already over gives its channel back at once.
    const over = gate.admit([]) as { release: () => void };
    gate.hold({ active: false } as MockCall, over.release);
    expect(gate.channels.free).toBe(1);
  });
});
