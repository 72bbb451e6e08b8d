import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MediaEngine, type MediaSession, parseSdp } from "../../../src/media/index.js";
import { freePortRange } from "./support/udp-peer.js";

const crlf = (lines: string[]): string => `${lines.join("\r\n")}\r\n`;

function offerSdp(version: number, media: string[], address = "192.0.2.10"): string {
  return crlf([
    "v=0",
    `o=PBX 777 ${version} IN IP4 ${address}`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    ...media,
  ]);
}

const AUDIO = ["m=audio 30000 RTP/AVP 8 0 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"];

describe("MediaSession offer/answer", () => {
  let engine: MediaEngine;
  let session: MediaSession;

  beforeEach(async () => {
    engine = new MediaEngine({ host: "203.0.113.5", bind: "127.0.0.1", portRange: await freePortRange(4) });
    session = await engine.createSession();
  });
  afterEach(() => engine.close());

  it("answers with the first common codec, telephone-event and our advertised address", () => {
    expect(session.direction).toBe("inactive");
    const result = session.answer(offerSdp(1, [...AUDIO, "a=sendrecv"]));
    expect(result).toMatchObject({
      ok: true,
      codec: { name: "PCMA", payloadType: 8, clockRate: 8000, telephoneEvent: 101 },
      direction: "sendrecv",
    });
    if (!result.ok) return;
    const answer = parseSdp(result.sdp);
    expect(answer.origin).toMatchObject({ username: "-", addrType: "IP4", address: "203.0.113.5" });
    expect(answer.connection?.address).toBe("203.0.113.5");
    expect(answer.media).toHaveLength(1);
    expect(answer.media[0]).toMatchObject({
      port: session.localPort,
      protocol: "RTP/AVP",
      formats: ["8", "101"],
    });
    expect(result.sdp).toContain("a=rtpmap:8 PCMA/8000\r\n");
    expect(result.sdp).toContain("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
    expect(result.sdp).toContain("a=sendrecv\r\n");
    expect(session.direction).toBe("sendrecv");
  });

  it("keeps one answer m= line per offered stream, declining the others with port 0", () => {
    const result = session.answer(offerSdp(1, ["m=video 30010 RTP/AVP 31", ...AUDIO]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const media = parseSdp(result.sdp).media;
    expect(media.map((m) => [m.type, m.port, m.formats.join(" ")])).toEqual([
      ["video", 0, "31"],
      ["audio", session.localPort, "8 101"],
    ]);
  });

  it("answers the RTP/AVP stream of an SAVP + AVP offer and declines the SAVP one", () => {
    const result = session.answer(
      offerSdp(1, [
        "m=audio 30000 RTP/SAVP 0",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
        "m=audio 30002 RTP/AVP 0",
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(parseSdp(result.sdp).media.map((m) => [m.port, m.protocol])).toEqual([
      [0, "RTP/SAVP"],
      [session.localPort, "RTP/AVP"],
    ]);
    expect(result.sdp).not.toContain("crypto");
  });

  it("refuses SRTP-only with 488 and unparseable SDP with 400", () => {
    expect(session.answer(offerSdp(1, ["m=audio 30000 RTP/SAVP 0"]))).toEqual({
      ok: false,
      status: 488,
      reason: "Not Acceptable Here: SRTP (RTP/SAVP) offered; the connector is RTP only",
    });
    expect(session.answer("hello")).toMatchObject({
      ok: false,
      status: 400,
      reason: /^Bad Request: malformed SDP/,
    });
  });

  it("re-answers a hold and a retrieve with the same session id and version + 1", () => {
    const first = session.answer(offerSdp(1, [...AUDIO, "a=sendrecv"]));
    const hold = session.answer(offerSdp(2, [...AUDIO, "a=sendonly"]));
    expect(hold).toMatchObject({ ok: true, direction: "recvonly" });
    expect(session.direction).toBe("recvonly");
    const retrieve = session.answer(offerSdp(3, [...AUDIO, "a=sendrecv"]));
    expect(session.direction).toBe("sendrecv");
    if (!first.ok || !hold.ok || !retrieve.ok) throw new Error("an answer failed");
    const origins = [first, hold, retrieve].map((r) => parseSdp(r.sdp).origin);
    expect(new Set(origins.map((o) => o.sessionId)).size).toBe(1);
    const versions = origins.map((o) => BigInt(o.sessionVersion));
    expect(versions[1]! - versions[0]!).toBe(1n);
    expect(versions[2]! - versions[1]!).toBe(1n);
    expect(hold.sdp).toContain("a=recvonly\r\n");
  });

  it("answers inactive with inactive, and a c=0.0.0.0 hold with recvonly", () => {
    expect(session.answer(offerSdp(1, [...AUDIO, "a=inactive"]))).toMatchObject({ direction: "inactive" });
    expect(session.answer(offerSdp(2, AUDIO, "0.0.0.0"))).toMatchObject({ direction: "recvonly" });
  });

  it("leaves the session as it was when a re-offer is refused", () => {
    session.answer(offerSdp(1, [...AUDIO, "a=sendrecv"]));
    expect(session.answer(offerSdp(2, ["m=audio 30000 RTP/AVP 18"]))).toMatchObject({
      ok: false,
      status: 488,
    });
    expect(session.direction).toBe("sendrecv");
  });

  it("offers every codec with telephone-event 101 and applies the answer", () => {
    const offer = session.offer();
    const media = parseSdp(offer).media[0]!;
    expect(media).toMatchObject({
      port: session.localPort,
      protocol: "RTP/AVP",
      formats: ["0", "8", "9", "101"],
    });
    expect(offer).toContain("a=rtpmap:9 G722/8000\r\n");
    const applied = session.applyAnswer(
      offerSdp(1, ["m=audio 30000 RTP/AVP 9 101", "a=rtpmap:101 telephone-event/8000"]),
    );
    expect(applied).toEqual({
      ok: true,
      codec: { name: "G722", payloadType: 9, clockRate: 8000, telephoneEvent: 101 },
      direction: "sendrecv",
    });
  });

  it("answers a=rtcp-mux only when the offer has it, and offers it", () => {
    const plain = session.answer(offerSdp(1, [...AUDIO, "a=sendrecv"]));
    expect(plain.ok && plain.sdp).not.toContain("a=rtcp-mux");
    const mux = session.answer(offerSdp(2, [...AUDIO, "a=rtcp-mux", "a=sendrecv"]));
    expect(mux.ok && mux.sdp).toContain("a=rtcp-mux\r\n");
    expect(session.offer()).toContain("a=rtcp-mux\r\n");
  });

  it("puts us on hold with offer(sendonly) once the answer says recvonly", () => {
    session.offer();
    session.applyAnswer(offerSdp(1, ["m=audio 30000 RTP/AVP 0"]));
    const hold = session.offer("sendonly");
    expect(hold).toContain("a=sendonly\r\n");
    expect(session.applyAnswer(offerSdp(2, ["m=audio 30000 RTP/AVP 0", "a=recvonly"]))).toMatchObject({
      direction: "sendonly",
    });
    expect(session.direction).toBe("sendonly");
  });

  it("refuses an answer with no offer pending, an SRTP answer, or a malformed one", () => {
    expect(session.applyAnswer(offerSdp(1, AUDIO))).toMatchObject({
      ok: false,
      status: 400,
      reason: /no offer/,
    });
    session.offer();
    expect(session.applyAnswer(offerSdp(1, ["m=audio 30000 RTP/SAVP 0"]))).toMatchObject({ status: 488 });
    session.offer();
    expect(session.applyAnswer("v=0\r\nbroken")).toMatchObject({ status: 400 });
  });

  it("refuses DTMF without telephone-event or while on hold, and unknown modes", async () => {
    session.answer(offerSdp(1, ["m=audio 30000 RTP/AVP 0"]));
    await expect(session.sendDtmf("1")).rejects.toThrow(/telephone-event was not negotiated/);
    session.answer(offerSdp(2, [...AUDIO, "a=inactive"]));
    await expect(session.sendDtmf("1")).rejects.toThrow(/inactive/);
    expect(() => session.setMode("loud" as never)).toThrow(RangeError);
  });

  it("writes IN IP6 for an IPv6 advertised host", async () => {
    const v6 = new MediaEngine({ host: "2001:db8::5", bind: "127.0.0.1", portRange: await freePortRange(1) });
    const s = await v6.createSession();
    expect(s.offer()).toContain("c=IN IP6 2001:db8::5\r\n");
    await v6.close();
  });

  it("paces every sending session with one shared timer", async () => {
    const spy = vi.spyOn(globalThis, "setInterval");
    try {
      const many = new MediaEngine({
        host: "127.0.0.1",
        bind: "127.0.0.1",
        portRange: await freePortRange(20),
      });
      for (let i = 0; i < 20; i++) await many.createSession({ mode: i % 2 ? "tone" : "silence" });
      expect(spy.mock.calls.filter(([, ms]) => ms === 20)).toHaveLength(1);
      await many.close();
    } finally {
      spy.mockRestore();
    }
  });
});
