import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../support/until.js";
import { hasBaresip } from "./support/baresip.js";
import { type EdgeProxySetup, startEdgeProxy } from "./support/edge-proxy.js";
import { hasKamailio } from "./support/kamailio.js";
import { requirePackage } from "./support/process.js";

const ready =
  requirePackage(hasKamailio, "kamailio (with kamailio-tls-modules)", "the long call through Kamailio") &&
  requirePackage(hasBaresip, "baresip-core", "the long call through Kamailio (phone behind it)");

/** Past Timer H / the 2xx ACK wait (64·T1 = 32 s) with margin. */
const HOLD_UP_MS = 41_000;

// Its own emulator, Kamailio and phone, so it runs beside kamailio.test.ts: the only interop
// test that has to wait this long.
describe.skipIf(!ready)("a call through Kamailio that stays up past 64·T1", () => {
  let s: EdgeProxySetup;

  beforeAll(async () => {
    s = await startEdgeProxy("kamailio-long-admin");
  }, 45_000);

  afterAll(async () => {
    await s?.stop();
  });

  it("stays answered ≥ 40 s with RTP flowing: the ACK came through Kamailio, no ack-timeout; the user's BYE reaches the phone through Kamailio", async () => {
    s.phone.send(`/dial ${s.dialUri("+4923026672131")}`);
    const answered = await s.api.waitForCall(
      (c) => c.direction === "pbx-to-user" && c.state === "answered",
      "the phone's call answered",
      15_000,
      s.logs,
    );
    const trunkConnection = s.emulator.bindings()[0]!.connectionId;
    const sipCallId = answered.legs[0]!.callId;
    const answeredAt = Date.now();
    // Check every second that the call is still up (bounded: HOLD_UP_MS / 1 s rounds).
    for (let round = 0; Date.now() - answeredAt < HOLD_UP_MS && round < 60; round++) {
      await sleep(1_000);
      const call = await s.api.call(answered.id);
      if (call?.state !== "answered")
        throw new Error(`the call did not stay up: ${s.api.describe(call)}\n${s.logs()}`);
    }
    const call = (await s.api.call(answered.id))!;
    expect(call.events.map((e) => e.type)).not.toContain("ack-timeout");
    // ~50 packets/s each way for 40 s; allow for start-up and scheduling.
    expect(call.media!.stats.packetsReceived).toBeGreaterThan(1_000);
    expect(call.media!.stats.packetsSent).toBeGreaterThan(1_000);
    const acks = (await s.api.trace("?kind=sip")).filter(
      (e) => e.direction === "in" && e.summary?.callId === sipCallId && e.summary.method === "ACK",
    );
    expect(acks.map((e) => e.connectionId)).toEqual([trunkConnection]);

    const mark = s.phone.mark();
    const gone = await s.api.http.admin("DELETE", `/api/admin/calls/${answered.id}`);
    expect(gone.status).toBeLessThan(300);
    await s.phone.waitFor(/terminated|session closed/i, "the emulator's BYE at the phone", 10_000, mark);
    const done = await s.api.waitForCall((c) => c.id === answered.id && c.state === "ended", "ended", 10_000);
    expect(done.endedBy).toBe("user");
  }, 80_000);
});
