import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirePackage } from "../support/debian-package.js";
import { TRUNK } from "../support/emulator.js";
import { until } from "../support/until.js";
import { hasBaresip } from "./support/baresip.js";
import { type EdgeProxySetup, startEdgeProxy } from "./support/edge-proxy.js";
import type { JournalCall } from "./support/journal.js";
import { hasKamailio } from "./support/kamailio.js";
import { HOLD_UP_MS, holdCallUp } from "./support/long-call.js";

const ready =
  requirePackage(
    hasKamailio,
    "kamailio (with kamailio-tls-modules)",
    "the Kamailio edge-proxy interop tests",
  ) && requirePackage(hasBaresip, "baresip-core", "the Kamailio edge-proxy interop tests (phone behind it)");

const AL = "+4923026672131";

async function stopAll(started: PromiseSettledResult<EdgeProxySetup>[]): Promise<void> {
  for (const r of started) if (r.status === "fulfilled") await r.value.stop();
}

describe.skipIf(!ready)(
  "Kamailio 5.6 as the PBX's edge proxy (uac_reg over TLS, NAT contact, record-route)",
  () => {
    let s: EdgeProxySetup;
    // A second emulator + Kamailio + phone whose call is held past 64·T1 in the background
    // while the scenarios below run on `s`: the only interop test that waits this long.
    let long: EdgeProxySetup | undefined;
    let longCall: Promise<JournalCall>;

    beforeAll(async () => {
      const started = await Promise.allSettled([
        startEdgeProxy("kamailio-admin"),
        // Also the Request-URI mode Kamailio's uac_reg_lookup() understands (last test).
        startEdgeProxy("kamailio-long-admin", { inboundRequestUri: "contact" }),
      ]);
      const failed = started.find((r) => r.status === "rejected");
      if (failed) {
        await stopAll(started);
        throw failed.reason;
      }
      [s, long] = started.map((r) => (r as PromiseFulfilledResult<EdgeProxySetup>).value);
      longCall = holdCallUp(long!, AL);
      longCall.catch(() => {}); // its own test reports the failure
    }, 60_000);

    afterAll(async () => {
      await s?.stop();
      await long?.stop();
    });

    const rtpBothWays = (c: JournalCall) =>
      (c.media?.stats.packetsReceived ?? 0) > 10 && (c.media?.stats.packetsSent ?? 0) > 10;
    /** baresip logs its first received RTP packet of a call: `incoming rtp for 'audio' established`. */
    const phoneHearsAudio = (from: number) =>
      /incoming rtp for 'audio' established/.test(s.phone.output.slice(from));
    const ended = (id: string) => (c: JournalCall) => c.id === id && c.state === "ended";

    /** SIP requests the emulator received with this SIP Call-ID (and method). */
    const received = async (sipCallId: string, method?: string) =>
      (await s.api.trace("?kind=sip")).filter(
        (e) =>
          e.direction === "in" &&
          e.summary?.callId === sipCallId &&
          e.summary.method !== undefined &&
          (method === undefined || e.summary.method === method),
      );
    /**
     * Every request of the dialog came through Kamailio, on the connection its uac_reg
     * registered: the phone's ACK, BYE and re-INVITEs followed the Record-Route the emulator
     * returned instead of the emulator's Contact.
     */
    const expectAllViaKamailio = async (sipCallId: string) => {
      const trunkConnection = s.emulator.bindings()[0]?.connectionId;
      const requests = await received(sipCallId);
      expect(requests.length).toBeGreaterThan(1);
      expect(
        requests.map((e) => `${e.summary!.method} on ${e.connectionId}`),
        `${trunkConnection} is the trunk's connection`,
      ).toEqual(requests.map((e) => `${e.summary!.method} on ${trunkConnection}`));
    };

    it("registers the trunk through Kamailio over TLS, Contact the unreachable NAT address", () => {
      const [binding] = s.emulator.bindings();
      expect(binding).toMatchObject({
        aor: TRUNK.username,
        transport: "TLS",
        contact: expect.stringContaining("@192.0.2.77:5061;transport=tls"),
      });
    });

    it("phone → user: answered with RTP both ways, ACK via Kamailio, hold/retrieve, RFC 4733 DTMF, BYE", async () => {
      const mark = s.phone.mark();
      s.phone.send(`/dial ${s.dialUri(AL)}`);
      const answered = await s.api.waitForCall(
        (c) => c.direction === "pbx-to-user" && c.state === "answered" && rtpBothWays(c),
        "the phone's call answered with RTP both ways",
        15_000,
        s.logs,
      );
      const sipCallId = answered.legs[0]!.callId;
      // The 2xx carries Kamailio's two Record-Routes (TLS side advertised as the NAT address,
      // UDP side), as RFC 3261 §12.1.1 asks of a UAS ...
      const ok = (await s.api.trace("?kind=sip")).find(
        (e) => e.direction === "out" && e.summary?.callId === sipCallId && e.summary.status === 200,
      );
      const recordRoutes = (ok?.message ?? "").match(/^Record-Route:.*$/gim) ?? [];
      expect(recordRoutes.join("\n")).toMatch(/192\.0\.2\.77:5061[\s\S]*127\.0\.0\.1:\d+/);
      // ... so the ACK for it follows that route set through Kamailio to the emulator.
      await until(
        async () => (await received(sipCallId, "ACK")).length > 0,
        () => `the ACK\n${s.logs()}`,
      );

      s.phone.send("/hold");
      await s.api.waitForCall((c) => c.id === answered.id && c.onHold, "hold", 10_000, s.logs);
      s.phone.send("/resume");
      await s.api.waitForCall((c) => c.id === answered.id && !c.onHold, "retrieve", 10_000, s.logs);

      s.phone.send("4");
      s.phone.send("2");
      await s.api.waitForCall(
        (c) => c.id === answered.id && c.dtmf.map((d) => d.digit).join("") === "42",
        "DTMF 4 2",
        10_000,
        s.logs,
      );

      await until(
        () => phoneHearsAudio(mark),
        () => `RTP received by the phone\n${s.logs()}`,
      );
      s.phone.send("/hangup");
      const done = await s.api.waitForCall(ended(answered.id), "BYE from the phone", 10_000, s.logs);
      expect(done.endedBy).toBe("pbx");
      expect(done.events.map((e) => e.type)).not.toContain("ack-timeout");
      expect(done.dtmf.every((d) => d.via === "rfc4733")).toBe(true);
      await expectAllViaKamailio(sipCallId);
    }, 45_000);

    it("user → phone: the INVITE reaches the phone over the registered connection; answered with RTP; BYE from the emulator", async () => {
      const mark = s.phone.mark();
      const started = await s.api.http.admin("POST", "/api/admin/calls", {
        fromUser: "al@acme.test",
        to: "+4930123456",
      });
      expect(started.status).toBe(201);
      const answered = await s.api.waitForCall(
        (c) => c.id === started.body.id && c.state === "answered" && rtpBothWays(c),
        "the phone answering with RTP both ways",
        15_000,
        s.logs,
      );
      expect(answered.direction).toBe("user-to-pbx");
      await until(
        () => phoneHearsAudio(mark),
        () => `RTP received by the phone\n${s.logs()}`,
      );
      const gone = await s.api.http.admin("DELETE", `/api/admin/calls/${answered.id}`);
      expect(gone.status).toBeLessThan(300);
      // The BYE follows Kamailio's Record-Route over the trunk's connection and reaches the phone.
      await s.phone.waitFor(
        /session closed|terminated|Connection reset|call closed/i,
        "the BYE at the phone",
        10_000,
        mark,
      );
      await s.api.waitForCall(ended(answered.id), "the call ended", 10_000, s.logs);
      const trunkConnection = s.emulator.bindings()[0]?.connectionId;
      const pbxCallId = answered.legs.find((l) => l.kind === "pbx")?.callId;
      const sent = (await s.api.trace("?kind=sip")).filter(
        (e) => e.direction === "out" && e.summary?.callId === pbxCallId && e.summary?.method !== undefined,
      );
      expect(sent.map((e) => `${e.summary!.method} on ${e.connectionId}`)).toEqual([
        `INVITE on ${trunkConnection}`,
        `ACK on ${trunkConnection}`,
        `BYE on ${trunkConnection}`,
      ]);
      // In the dialog, the emulator's requests carry Kamailio's Record-Route as Route.
      expect(sent[2]!.message).toMatch(/^Route: .*192\.0\.2\.77:5061/m);
    }, 30_000);

    it("blind transfer: REFER from the phone; the user calls the target through the trunk", async () => {
      const mark = s.phone.mark();
      s.phone.send(`/dial ${s.dialUri(AL)}`);
      const first = await s.api.waitForCall(
        (c) => c.direction === "pbx-to-user" && c.state === "answered",
        "the call to transfer answered",
        15_000,
        s.logs,
      );
      // REFER only once the phone has the 200 too, or it goes out before the dialog exists.
      await s.phone.waitFor(/Call established/, "the call established at the phone", 10_000, mark);
      s.phone.send("/transfer sip:+4930999888@127.0.0.1");
      await s.api.waitForCall(
        (c) => c.id === first.id && c.events.some((e) => e.type === "transferred"),
        "the transfer completed (NOTIFY 200)",
        20_000,
        s.logs,
      );
      const second = await s.api.waitForCall(
        (c) => c.direction === "user-to-pbx" && c.state === "answered",
        "the transferred call answered by the phone",
        10_000,
        s.logs,
      );
      await s.api.http.admin("DELETE", `/api/admin/calls/${second.id}`);
      await s.api.waitForCall(ended(second.id), "the transferred call ended", 10_000, s.logs);
      if ((await s.api.call(first.id))?.state !== "ended") s.phone.send("/hangup");
      await s.api.waitForCall(ended(first.id), "the transferred call's first leg ended", 10_000, s.logs);
      // The REFER's NOTIFYs followed the route set through Kamailio and the phone answered them.
      const firstCallId = first.legs[0]!.callId;
      const trace = await s.api.trace("?kind=sip");
      const notifies = trace.filter(
        (e) => e.direction === "out" && e.summary?.callId === firstCallId && e.summary.method === "NOTIFY",
      );
      expect(notifies.length).toBeGreaterThan(0);
      expect(notifies.at(-1)!.message).toMatch(/SIP\/2.0 200 OK/);
      const answeredNotifies = trace.filter(
        (e) =>
          e.direction === "in" &&
          e.summary?.callId === firstCallId &&
          e.summary.status === 200 &&
          /NOTIFY/.test(e.summary.cseq ?? ""),
      );
      expect(answeredNotifies.length).toBe(notifies.length);
    }, 60_000);

    it("CANCEL from the phone while the user rings: 487 Request Terminated through Kamailio", async () => {
      const tenantId = s.emulator.bindings()[0]!.tenantId;
      const users = await s.api.http.admin("GET", `/api/admin/tenants/${tenantId}/users?search=bo@acme.test`);
      const bo = users.body.items[0];
      const patched = await s.api.http.admin("PATCH", `/api/admin/tenants/${tenantId}/users/${bo.id}`, {
        callBehaviour: { mode: "no-answer", ringMs: 30_000 },
      });
      expect(patched.status).toBe(200);
      const mark = s.phone.mark();
      s.phone.send(`/dial ${s.dialUri("+4923026672132")}`);
      const ringing = await s.api.waitForCall(
        (c) => c.direction === "pbx-to-user" && c.state === "ringing",
        "the user ringing",
        10_000,
        s.logs,
      );
      await s.phone.waitFor(/180 Ringing/, "180 Ringing at the phone", 10_000, mark);
      s.phone.send("/hangup");
      const done = await s.api.waitForCall(ended(ringing.id), "the call cancelled", 10_000, s.logs);
      expect(done.finalStatus).toBe(487);
      expect((await received(ringing.legs[0]!.callId, "CANCEL")).length).toBe(1);
    }, 30_000);

    it("CANCEL from the emulator while the phone rings: the user hangs up, the phone gets CANCEL through Kamailio", async () => {
      s.phone.send("/answermode manual");
      await s.phone.waitFor(/Answer mode changed to: manual/, "answer mode manual");
      try {
        const mark = s.phone.mark();
        const started = await s.api.http.admin("POST", "/api/admin/calls", {
          fromUser: "al@acme.test",
          to: "+4930123456",
        });
        expect(started.status).toBe(201);
        await s.api.waitForCall(
          (c) => c.id === started.body.id && c.state === "ringing",
          "the phone ringing",
          10_000,
          s.logs,
        );
        await s.api.http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
        const done = await s.api.waitForCall(ended(started.body.id), "the call cancelled", 10_000, s.logs);
        expect(done.finalStatus).toBe(487);
        // libre reports a CANCELled incoming call as "session closed: Connection reset by peer".
        await s.phone.waitFor(/Incoming call[\s\S]*session closed/, "the CANCEL at the phone", 10_000, mark);
        const cancels = (await s.api.trace("?kind=sip")).filter(
          (e) =>
            e.direction === "out" &&
            e.summary?.callId === done.legs.find((l) => l.kind === "pbx")?.callId &&
            e.summary?.method === "CANCEL",
        );
        expect(cancels.map((e) => e.connectionId)).toEqual([s.emulator.bindings()[0]?.connectionId]);
      } finally {
        s.phone.send("/answermode auto");
      }
    }, 30_000);

    it("the emulator opened no connection of its own: every connection in the trace was accepted on its SIP port", async () => {
      const connections = (await s.api.trace("?kind=connection")).filter((e) => e.event === "opened");
      expect(connections.length).toBeGreaterThan(0);
      for (const c of connections) expect(c.local?.port).toBe(s.emulator.ports.sip);
    });

    it("unregister: uac_reg removes its binding and the connector goes unavailable", async () => {
      const { tenantId, connectionId: trunkConnection } = s.emulator.bindings()[0]!;
      const connector = async () =>
        (await s.api.http.admin("GET", `/api/admin/tenants/${tenantId}/connectors`)).body[0]?.status;
      expect(await connector()).toBe("available");
      s.kamailio.rpc("uac.reg_unregister", "l_uuid", "osbiztrunk");
      await until(
        () => s.emulator.bindings().length === 0,
        () => `the unregistration\n${s.logs()}`,
      );
      expect(await connector()).toBe("unavailable");
      // The REGISTER with Expires 0 (challenged, then authorised) came over the trunk's connection.
      const unregister = (await s.api.trace("?kind=sip")).filter(
        (e) =>
          e.direction === "in" &&
          e.summary?.method === "REGISTER" &&
          /^Expires: *0\b|;expires=0\b/im.test(e.message ?? ""),
      );
      expect(unregister.length).toBeGreaterThan(0);
      expect(new Set(unregister.map((e) => e.connectionId))).toEqual(new Set([trunkConnection]));
    });

    it(
      "a call through Kamailio stays up ≥ 40 s (past 64·T1) with RTP: its ACK came through Kamailio, no ack-timeout; the user's BYE reaches the phone",
      async () => {
        const l = long!;
        const call = await longCall;
        expect(call.events.map((e) => e.type)).not.toContain("ack-timeout");
        // ~50 packets/s each way for 40 s; allow for start-up and scheduling.
        expect(call.media!.stats.packetsReceived).toBeGreaterThan(1_000);
        expect(call.media!.stats.packetsSent).toBeGreaterThan(1_000);
        const sipCallId = call.legs[0]!.callId;
        const acks = (await l.api.trace("?kind=sip")).filter(
          (e) => e.direction === "in" && e.summary?.callId === sipCallId && e.summary.method === "ACK",
        );
        expect(acks.map((e) => e.connectionId)).toEqual([l.emulator.bindings()[0]?.connectionId]);

        const mark = l.phone.mark();
        const gone = await l.api.http.admin("DELETE", `/api/admin/calls/${call.id}`);
        expect(gone.status).toBeLessThan(300);
        await l.phone.waitFor(/terminated|session closed/i, "the user's BYE at the phone", 10_000, mark);
        const done = await l.api.waitForCall((c) => c.id === call.id && c.state === "ended", "ended", 10_000);
        expect(done.endedBy).toBe("user");
      },
      HOLD_UP_MS + 30_000,
    );

    it("with --inbound-request-uri contact, Kamailio's uac_reg_lookup() finds the trunk from the Request-URI; the number is in To", async () => {
      const l = long!;
      const kamailioMark = l.kamailio.peer.mark();
      const started = await l.api.http.admin("POST", "/api/admin/calls", {
        fromUser: "al@acme.test",
        to: "+4930123456",
      });
      expect(started.status).toBe(201);
      await l.api.waitForCall(
        (c) => c.id === started.body.id && c.state === "answered",
        "the phone answering",
        15_000,
        l.logs,
      );
      await l.kamailio.peer.waitFor(
        /uac_reg_lookup: osbiztrunk is trunk sip:3919209257@pbx\.local, dialled \+4930123456/,
        "uac_reg_lookup() finding the trunk",
        5_000,
        kamailioMark,
      );
      await l.api.http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
      await l.api.waitForCall((c) => c.id === started.body.id && c.state === "ended", "ended", 10_000);
    }, 30_000);
  },
);
