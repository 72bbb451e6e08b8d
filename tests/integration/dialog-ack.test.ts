import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { ControllableClock } from "../../src/shared/clock.js";
import type { SipMessage, SipResponse } from "../../src/sip/message/index.js";
import { DEFAULT_TRANSACTION_TIMERS } from "../../src/sip/transaction/transaction-timers.js";
import {
  AL,
  ackRaw,
  barrier,
  count,
  emulatorWithPbx,
  eventTypes,
  journalOf,
  respondRaw,
  setAlBehaviour,
} from "../support/dialog-support.js";
import type { httpClient } from "../support/http.js";
import { type PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { SipTestClient } from "../support/sip-test-client.js";
import { until } from "../support/until.js";

/**
 * RFC 3261 §13.3.1.4: the 2xx to an INVITE is retransmitted by the UAS core until the ACK,
 * even over TLS, and the ACK is matched by dialog whatever connection brings it. The
 * protocol clock is frozen and stepped, so the test sees the RFC's schedule, not wall time.
 */
const { t1, t2 } = DEFAULT_TRANSACTION_TIMERS;
let emulator: EmulatorHandle;
let protocol: ControllableClock;
let pbx: PbxTestUa;
let http: ReturnType<typeof httpClient>;
const others: SipTestClient[] = [];

beforeEach(async () => {
  protocol = new ControllableClock({ frozen: true });
  ({ emulator, http, pbx } = await emulatorWithPbx(44300, { protocolClock: protocol }));
});

afterEach(async () => {
  for (const client of others.splice(0)) client.close();
  pbx.close();
  // Shutdown waits on protocol timers: let real time run again.
  protocol.freeze(false);
  await emulator.close();
  protocol.dispose();
});

const isOk = (callId: string) => (m: SipMessage) =>
  m.kind === "response" && m.callId === callId && m.status === 200 && m.cseq.method === "INVITE";

async function answered(): Promise<{ invite: ReturnType<PbxTestUa["sendInvite"]>; ok: SipResponse }> {
  await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
  const invite = pbx.sendInvite(AL, sdpOffer(40010));
  const ok = await pbx.response(invite.callId, 200);
  return { invite, ok };
}

describe("2xx to INVITE, as UAS", () => {
  it("an ACK on another connection confirms the dialog and stops the retransmissions", async () => {
    const { invite, ok } = await answered();
    // The proxy in front of the PBX sends the ACK over a connection of its own.
    const proxy = await SipTestClient.connectTls(emulator.ports.sip, {
      ca: emulator.certificates.caCertPem!,
    });
    others.push(proxy);
    ackRaw(proxy, ok);
    await until(
      async () => eventTypes(await journalOf(http.admin, invite.callId)).includes("ack"),
      "the ACK",
    );
    protocol.advance(64 * t1);
    await barrier(pbx.client);
    expect(count(pbx.client, isOk(invite.callId))).toBe(0);
    const call = await journalOf(http.admin, invite.callId);
    expect(call.state).toBe("answered");
    expect(eventTypes(call)).not.toContain("ack-timeout");
  });

  it("without an ACK the 200 goes out again after T1, 2·T1, 4·T1, then every T2; after 64·T1 BYE", async () => {
    const { invite } = await answered();
    let elapsed = 0;
    const intervals: number[] = [];
    for (let interval = t1; elapsed + interval < 64 * t1; interval = Math.min(2 * interval, t2)) {
      // Nothing just before the due time, exactly one retransmission at it.
      protocol.advance(interval - 1);
      await barrier(pbx.client);
      expect(count(pbx.client, isOk(invite.callId))).toBe(0);
      protocol.advance(1);
      const again = await pbx.response(invite.callId, 200);
      expect(again.status).toBe(200);
      elapsed += interval;
      intervals.push(interval);
    }
    expect(intervals).toEqual([t1, 2 * t1, 4 * t1, t2, t2, t2, t2, t2, t2, t2]);
    protocol.advance(64 * t1 - elapsed);
    const bye = await pbx.incoming("BYE", invite.callId);
    pbx.respond(bye, 200, "OK");
    const call = await journalOf(http.admin, invite.callId);
    expect(eventTypes(call)).toContain("ack-timeout");
    expect(call).toMatchObject({ state: "ended", hangupCause: "no ACK from the PBX" });
  });
});

describe("2xx to INVITE, as UAC", () => {
  it("a retransmitted 200 from the PBX gets the same ACK again", async () => {
    const userId = await setAlBehaviour(http.admin, { mode: "answer" });
    const started = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
    expect(started.status).toBe(201);
    const invite = await pbx.incoming("INVITE");
    const contact = `<sip:callee@127.0.0.1:${pbx.port};transport=tls>`;
    const answer = { toTag: "callee", contact, sdp: sdpOffer(40012) };
    respondRaw(pbx.client, invite, 200, "OK", answer);
    const first = await pbx.incoming("ACK", invite.callId);
    respondRaw(pbx.client, invite, 200, "OK", answer);
    const second = await pbx.incoming("ACK", invite.callId);
    expect(second.topVia.branch).toBe(first.topVia.branch);
    expect(second.cseq).toEqual(first.cseq);
    expect(second.uri).toBe(first.uri);
  });
});
