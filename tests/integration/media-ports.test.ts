import { describe, expect, it } from "vitest";
import { MediaEngine } from "../../src/media/index.js";
import { freePortRange, UdpPeer } from "../unit/media/support/udp-peer.js";

describe("media engine ports", () => {
  it("fails clearly when the range is exhausted, and close() frees the port", async () => {
    const range = await freePortRange(2);
    const engine = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: range });
    try {
      const a = await engine.createSession();
      const b = await engine.createSession();
      expect([a.localPort, b.localPort].sort()).toEqual([range.min, range.min + 2]);
      expect(engine.activeSessions).toBe(2);
      await expect(engine.createSession()).rejects.toThrow(/no free RTP port: all 2 even ports/);
      a.close();
      expect(engine.activeSessions).toBe(1);
      const c = await engine.createSession();
      expect(c.localPort).toBe(a.localPort);
    } finally {
      await engine.close();
    }
  });

  it("close() releases every socket: the ports can be bound again", async () => {
    const range = await freePortRange(3);
    const engine = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: range });
    const sessions = await Promise.all([1, 2, 3].map(() => engine.createSession({ mode: "tone" })));
    expect(new Set(sessions.map((s) => s.localPort)).size).toBe(3);
    await engine.close();
    expect(engine.activeSessions).toBe(0);
    await expect(engine.createSession()).rejects.toThrow(/closed/);
    const rebound = await Promise.all(sessions.map((s) => UdpPeer.open(s.localPort)));
    await Promise.all(rebound.map((p) => p.close()));
  });
});
