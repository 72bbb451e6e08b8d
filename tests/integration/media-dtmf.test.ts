import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MediaEngine } from "../../src/media/index.js";
import { parseTelephoneEvent } from "../../src/media/telephone-event.js";
import { until } from "../support/until.js";
import { freePortRange, UdpPeer } from "../unit/media/support/udp-peer.js";

describe("RFC 4733 DTMF between sessions over UDP", () => {
  let engine: MediaEngine;

  beforeEach(async () => {
    engine = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: await freePortRange(4) });
  });
  afterEach(() => engine.close());

  it("detects 12# sent by another session's sendDtmf", async () => {
    const caller = await engine.createSession({ mode: "tone" });
    const callee = await engine.createSession();
    const answer = callee.answer(caller.offer());
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(caller.applyAnswer(answer.sdp).ok).toBe(true);
    const heard: string[] = [];
    callee.onDtmf((digit) => heard.push(digit));
    await caller.sendDtmf("12#");
    await until(() => callee.dtmf.length === 3, "three digits");
    expect(callee.dtmf).toBe("12#");
    expect(heard).toEqual(["1", "2", "#"]);
    expect(caller.dtmf).toBe("");
  });

  it("sends start, updates and three end packets under one timestamp, with our audio paused", async () => {
    const peer = await UdpPeer.open();
    try {
      const session = await engine.createSession({ mode: "tone" });
      expect(session.answer(peer.offer({ formats: "0 101" })).ok).toBe(true);
      await peer.waitFor(2);
      await session.sendDtmf("5", 100);
      await until(
        () => peer.packets.filter((p) => p.payloadType === 0).length >= 3 + 2,
        "audio after the digit",
      );
      const types = peer.packets.map((p) => p.payloadType);
      const first = types.indexOf(101);
      const last = types.lastIndexOf(101);
      expect(types.slice(first, last + 1).every((t) => t === 101)).toBe(true);
      const events = peer.packets.slice(first, last + 1);
      expect(events).toHaveLength(5 + 3);
      expect(new Set(events.map((p) => p.timestamp)).size).toBe(1);
      expect(events.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false, false]);
      const decoded = events.map((p) => parseTelephoneEvent(p.payload)!);
      expect(decoded.every((e) => e.event === 5)).toBe(true);
      expect(decoded.map((e) => e.end)).toEqual([false, false, false, false, false, true, true, true]);
      expect(decoded.at(-1)!.duration).toBe(800);
      // One sequence space for audio and events.
      for (let i = 1; i < peer.packets.length; i++) {
        expect((peer.packets[i]!.sequenceNumber - peer.packets[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
      }
    } finally {
      await peer.close();
    }
  });
});
