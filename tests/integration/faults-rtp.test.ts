import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FaultEngine, type FaultHitEvent, RtpFaultGate, seededRandom } from "../../src/faults/index.js";
import { MediaEngine, type MediaSession } from "../../src/media/index.js";
import { ControllableClock } from "../../src/shared/clock.js";
import { sleep, until } from "../support/until.js";
import { freePortRange, UdpPeer } from "../unit/media/support/udp-peer.js";

const SESSION_SSRC = 0xcafe_f00d;
const PAYLOAD = Buffer.alloc(160, 0xd5);
/** Long enough to see that no packet comes; nothing asserts how long anything takes. */
const QUIET_MS = 200;

describe("RTP faults between a PBX-side UDP peer and an echoing media session", () => {
  let media: MediaEngine;
  let peer: UdpPeer;
  let engine: FaultEngine;
  let timers: ControllableClock;
  let session: MediaSession;
  const hits: FaultHitEvent[] = [];

  beforeEach(async () => {
    media = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: await freePortRange(4) });
    peer = await UdpPeer.open();
    engine = new FaultEngine(new ControllableClock({ frozen: true }));
    hits.length = 0;
    engine.onHit((e) => hits.push(e));
    timers = new ControllableClock({ frozen: true });
    session = await media.createSession({ mode: "echo", ssrc: SESSION_SSRC });
    session.useFaults(new RtpFaultGate(engine, { timers }));
    session.tags = { callId: "call-1", tenantId: "ten-1", tenant: "Acme", trunkId: "t-1", trunk: "gtc-001" };
    expect(session.answer(peer.offer({ formats: "8 101" })).ok).toBe(true);
  });

  afterEach(async () => {
    await media.close();
    await peer.close();
  });

  async function send(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await peer.sendRtp(session.localPort, PAYLOAD);
  }

  it("without a rule, every packet is echoed under the session's SSRC", async () => {
    await send(3);
    await peer.waitFor(3);
    expect(peer.packets.map((p) => p.ssrc)).toEqual([SESSION_SSRC, SESSION_SSRC, SESSION_SSRC]);
  });

  it("drops a percentage of received packets, the same ones for the same seed", async () => {
    const id = engine.add({
      layer: "rtp",
      match: { direction: "in" },
      action: { type: "drop", percent: 30 },
      when: { seed: 2024 },
    }).id;
    await send(200);
    await until(
      () => session.stats.packetsReceived + (engine.get(id)?.hits ?? 0) === 200,
      "200 packets handled",
    );
    const draws = seededRandom(2024);
    const expected = Array.from({ length: 200 }, () => draws() < 0.3).filter(Boolean).length;
    expect(engine.get(id)?.hits).toBe(expected);
    expect(session.stats.packetsReceived).toBe(200 - expected);
    expect(expected).toBeGreaterThan(40);
    expect(expected).toBeLessThan(80);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.detail).toBe(`drop 30%: RTP received on port ${session.localPort} (call call-1)`);
  });

  it("stops receiving: nothing is counted, nothing is echoed", async () => {
    const id = engine.add({ layer: "rtp", action: { type: "stop", direction: "receive" } }).id;
    await send(5);
    await until(() => engine.get(id)?.hits === 5, "5 packets stopped");
    await sleep(QUIET_MS);
    expect(session.stats.packetsReceived).toBe(0);
    expect(peer.packets).toEqual([]);
  });

  it("stops sending: the session receives and answers, nothing reaches the peer", async () => {
    engine.add({ layer: "rtp", match: { trunk: "GTC-001" }, action: { type: "stop", direction: "send" } });
    await send(5);
    await until(() => session.stats.packetsSent === 5, "5 echoes attempted");
    await sleep(QUIET_MS);
    expect(session.stats.packetsReceived).toBe(5);
    expect(peer.packets).toEqual([]);
  });

  it("changes the SSRC of what we send, to the given one or to a fixed other one", async () => {
    const given = engine.add({ layer: "rtp", action: { type: "ssrc", ssrc: 0x1234_5678 } }).id;
    await send(2);
    await peer.waitFor(2);
    expect(peer.packets.map((p) => p.ssrc)).toEqual([0x1234_5678, 0x1234_5678]);
    engine.remove(given);
    engine.add({ layer: "rtp", action: { type: "ssrc" } });
    await send(1);
    await peer.waitFor(3);
    expect(peer.packets[2]?.ssrc).toBe((SESSION_SSRC ^ 0x5eed_5eed) >>> 0);
    expect(peer.packets[2]?.payload).toEqual(PAYLOAD);
  });

  it("delays what we send until the timer clock has moved on", async () => {
    engine.add({
      layer: "rtp",
      match: { direction: "out" },
      action: { type: "delay", ms: 150, jitterMs: 50 },
    });
    await send(1);
    await until(() => session.stats.packetsSent === 1, "the echo was built");
    await sleep(QUIET_MS);
    expect(peer.packets).toEqual([]);
    timers.advance(200);
    await peer.waitFor(1);
  });

  it("delays what we receive until the timer clock has moved on", async () => {
    engine.add({
      layer: "rtp",
      match: { direction: "in", callId: "call-1" },
      action: { type: "delay", ms: 80 },
    });
    await send(1);
    await sleep(QUIET_MS);
    expect(session.stats.packetsReceived).toBe(0);
    timers.advance(80);
    await until(() => session.stats.packetsReceived === 1, "the delayed packet");
    await peer.waitFor(1);
  });

  it("leaves other calls alone", async () => {
    engine.add({ layer: "rtp", match: { callId: "call-2" }, action: { type: "drop", percent: 100 } });
    engine.add({ layer: "rtp", match: { tenant: "Other" }, action: { type: "drop", percent: 100 } });
    await send(3);
    await peer.waitFor(3);
    expect(engine.list().map((r) => r.hits)).toEqual([0, 0]);
  });
});
