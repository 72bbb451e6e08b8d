import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCsta, type CstaMessage, parseCsta } from "../../src/cti/index.js";
import type { EmulatorHandle } from "../../src/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/message/index.js";
import { ADMIN_TOKEN, usersClient } from "../support/api-client-users.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

/**
 * A PBX's side of the uaCSTA session, scripted over PbxTestUa: it answers the connector's
 * session INVITE, answers each CSTA request INFO with 200 and the response a test decides,
 * and sends events and raw INFOs inside the session dialog.
 */
class ScriptedCstaPbx {
  readonly requests: CstaMessage[] = [];
  readonly received: string[] = [];
  dnd = false;
  /** Message type → the reply to send instead of the normal response (e.g. a CSTAErrorCode). */
  readonly overrides = new Map<string, (message: CstaMessage) => CstaMessage>();
  invite!: SipRequest;
  private cseq = 1;
  private running = true;

  constructor(readonly ua: PbxTestUa) {}

  async acceptSession(): Promise<void> {
    this.invite = await this.ua.incoming("INVITE");
    this.ua.respond(this.invite, 200, "OK", { toTag: "csta1" });
    await this.ua.incoming("ACK", this.invite.callId);
    void this.serve();
  }

  /** Answer the connector's INFOs until stop() (bounded by the connection's life). */
  private async serve(): Promise<void> {
    while (this.running) {
      let info: SipRequest;
      try {
        info = await this.ua.client.waitFor(
          (m: SipMessage): m is SipRequest => m.kind === "request" && m.method === "INFO",
          60_000,
        );
      } catch {
        return;
      }
      this.ua.respond(info, 200, "OK");
      const xml = info.body.toString("utf8");
      this.received.push(xml);
      const message = parseCsta(xml);
      if (message.type.endsWith("Event") || message.type === "CSTAErrorCode") continue;
      this.requests.push(message);
      const reply = this.overrides.get(message.type)?.(message) ?? this.normalReply(message);
      this.sendInfo(buildCsta({ ...reply, invokeId: message.invokeId } as CstaMessage));
    }
  }

  private normalReply(m: CstaMessage): CstaMessage {
    switch (m.type) {
      case "MonitorStart":
        return { type: "MonitorStartResponse", monitorCrossRefID: `mon-${m.monitorObject}` };
      case "SnapshotDevice":
        return { type: "SnapshotDeviceResponse", crossRefIDorSnapshotData: [] };
      case "GetDoNotDisturb":
        return { type: "GetDoNotDisturbResponse", doNotDisturbOn: this.dnd };
      case "GetForwarding":
        return { type: "GetForwardingResponse", forwardingList: [] };
      case "MakeCall":
        return { type: "MakeCallResponse", callingDevice: { callID: "c1", deviceID: m.callingDevice } };
      case "SetDoNotDisturb":
        this.dnd = m.doNotDisturbOn;
        return { type: "SetDoNotDisturbResponse" };
      default:
        return { type: `${m.type}Response` } as CstaMessage;
    }
  }

  /** An INFO from the PBX inside the session dialog (we are its UAS: From is the INVITE's To). */
  sendInfo(body: string, contentType = "application/csta+xml"): { callId: string; seq: number } {
    const seq = this.cseq++;
    const contact = /<([^>]+)>/.exec(this.invite.headers.get("contact") ?? "")?.[1] ?? "sip:x@127.0.0.1";
    this.ua.client.write(
      [
        `INFO ${contact} SIP/2.0`,
        `Via: SIP/2.0/TLS 127.0.0.1:${this.ua.port};branch=z9hG4bKcsta${seq}x${Date.now()}`,
        "Max-Forwards: 70",
        `From: ${this.invite.headers.get("to")};tag=csta1`,
        `To: ${this.invite.headers.get("from")}`,
        `Call-ID: ${this.invite.callId}`,
        `CSeq: ${seq} INFO`,
        `Content-Type: ${contentType}`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n"),
    );
    return { callId: this.invite.callId, seq };
  }

  infoResponse(sent: { callId: string; seq: number }): Promise<SipResponse> {
    return this.ua.client.waitFor(
      (m): m is SipResponse =>
        m.kind === "response" &&
        m.callId === sent.callId &&
        m.cseq.method === "INFO" &&
        m.cseq.seq === sent.seq,
      10_000,
    );
  }

  stop(): void {
    this.running = false;
  }
}

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let pbx: ScriptedCstaPbx;
let deskPhone: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, ctiSession: "auto" });
  api = usersClient(emulator);
  const tenant = await api.tenantId("Acme");
  const user = (await api.all(tenant)).find((u) => u.callno === "2131");
  deskPhone = `/api/admin/tenants/${tenant}/users/${user.id}/desk-phone`;
});

afterAll(async () => {
  pbx?.stop();
  pbx?.ua.close();
  await api.close();
  await emulator.close();
});

describe("desk-phone CTI over the trunk (uaCSTA, scripted PBX over TLS)", () => {
  it("answers 409 cti_not_connected while the trunk is not registered", async () => {
    const res = await api.call("POST", `${deskPhone}/dnd`, { json: { on: true } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("cti_not_connected");
    expect((await api.call("GET", deskPhone)).body).toMatchObject({ device: "2131", cti: "disconnected" });
  });

  it("opens the CSTA session when the trunk registers, monitors and snapshots the user's device", async () => {
    const ua = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    pbx = new ScriptedCstaPbx(ua);
    expect((await ua.register()).status).toBe(200);
    await pbx.acceptSession();
    expect(pbx.invite.uri).toMatch(/^sip:csta@127\.0\.0\.1:\d+;transport=tls$/);
    expect(pbx.invite.headers.get("accept")).toBe("application/csta+xml");
    await until(
      () => pbx.requests.length >= 4,
      "MonitorStart, SnapshotDevice, GetDoNotDisturb, GetForwarding",
    );
    expect(pbx.requests.map((m) => m.type)).toEqual([
      "MonitorStart",
      "SnapshotDevice",
      "GetDoNotDisturb",
      "GetForwarding",
    ]);
    expect(pbx.requests[0]).toMatchObject({
      monitorObject: "2131",
      invokeId: expect.stringMatching(/^\d+$/),
    });
    await until(
      async () => (await api.call("GET", deskPhone)).body.monitored === true,
      "the desk phone monitored",
    );
    expect((await api.call("GET", deskPhone)).body).toMatchObject({
      device: "2131",
      cti: "connected",
      status: "idle",
      dnd: false,
      calls: [],
    });
  });

  it("MakeCall from the REST reaches the PBX and returns its call id", async () => {
    const res = await api.call("POST", `${deskPhone}/make-call`, { json: { to: "004989700" } });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ callId: "c1" });
    expect(pbx.requests.at(-1)).toMatchObject({
      type: "MakeCall",
      callingDevice: "2131",
      calledDirectoryNumber: "004989700",
    });
  });

  it("sets DND on the desk phone and reads it back", async () => {
    const res = await api.call("POST", `${deskPhone}/dnd`, { json: { on: true } });
    expect(res.status).toBe(200);
    expect(res.body.dnd).toBe(true);
    expect(pbx.requests.at(-1)).toMatchObject({
      type: "SetDoNotDisturb",
      device: "2131",
      doNotDisturbOn: true,
    });
    expect((await api.call("GET", deskPhone)).body.dnd).toBe(true);
  });

  it("follows Delivered and Established events into the REST state, and traces the XML", async () => {
    const event = (type: "DeliveredEvent" | "EstablishedEvent"): CstaMessage =>
      type === "DeliveredEvent"
        ? {
            type,
            monitorCrossRefID: "mon-2131",
            connection: { callID: "c9", deviceID: "2131" },
            alertingDevice: "2131",
            callingDevice: "004989700",
            calledDevice: "2131",
            cause: "newCall",
          }
        : {
            type,
            monitorCrossRefID: "mon-2131",
            establishedConnection: { callID: "c9", deviceID: "2131" },
            answeringDevice: "2131",
            callingDevice: "004989700",
            calledDevice: "2131",
          };
    const delivered = pbx.sendInfo(buildCsta(event("DeliveredEvent")));
    expect((await pbx.infoResponse(delivered)).status).toBe(200);
    await until(async () => (await api.call("GET", deskPhone)).body.status === "ringing", "ringing");
    pbx.sendInfo(buildCsta(event("EstablishedEvent")));
    await until(async () => (await api.call("GET", deskPhone)).body.status === "connected", "connected");
    expect((await api.call("GET", deskPhone)).body.calls).toEqual([{ callId: "c9", state: "connected" }]);
    const trace = await api.call("GET", "/api/admin/trace?kind=csta");
    const types = trace.body.entries.map(
      (e: { type: string; direction: string }) => `${e.direction} ${e.type}`,
    );
    expect(types).toEqual(
      expect.arrayContaining(["out MonitorStart", "in MonitorStartResponse", "in EstablishedEvent"]),
    );
  });

  it("answers 502 cti_refused with the PBX's CSTAErrorCode", async () => {
    pbx.overrides.set("HoldCall", () => ({
      type: "CSTAErrorCode",
      category: "stateIncompatibility",
      value: "invalidConnectionState",
    }));
    const res = await api.call("POST", `${deskPhone}/hold`, { json: {} });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      code: "cti_refused",
      cstaError: { category: "stateIncompatibility", value: "invalidConnectionState" },
    });
    expect(pbx.requests.at(-1)).toMatchObject({
      type: "HoldCall",
      callToBeHeld: { callID: "c9", deviceID: "2131" },
    });
  });

  it("answers malformed CSTA with SIP 200 and a CSTAErrorCode INFO carrying its invokeID", async () => {
    const before = pbx.received.length;
    const sent = pbx.sendInfo(
      '<MonitorStart xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3" invokeID="77"><bogus/></MonitorStart>',
    );
    expect((await pbx.infoResponse(sent)).status).toBe(200);
    await until(
      () => pbx.received.slice(before).some((xml) => xml.includes("CSTAErrorCode")),
      "a CSTAErrorCode back",
    );
    const error = parseCsta(
      pbx.received.slice(before).find((xml) => xml.includes("CSTAErrorCode")) as string,
    );
    expect(error).toEqual({ type: "CSTAErrorCode", invokeId: "77", category: "operation", value: "generic" });
  });

  it("answers an INFO with another body type in the session 415 with Accept", async () => {
    const sent = pbx.sendInfo("Signal=5\r\nDuration=100\r\n", "text/plain");
    const response = await pbx.infoResponse(sent);
    expect(response.status).toBe(415);
  });

  it("validates action bodies (400) and refuses an action without a matching call (409)", async () => {
    const bad = await api.call("POST", `${deskPhone}/make-call`, { json: { to: "<x>" } });
    expect(bad.status).toBe(400);
    const none = await api.call("POST", `${deskPhone}/retrieve`, { json: {} });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe("desk_phone_no_call");
  });
});

describe("desk-phone CTI with the default --cti-session on-demand", () => {
  it("sends no session INVITE when the trunk registers; the first desk-phone request opens it", async () => {
    const quiet = await startTestEmulator({ adminToken: ADMIN_TOKEN });
    const quietApi = usersClient(quiet);
    const ua = await PbxTestUa.connect(quiet, TRUNK.username, TRUNK.password);
    try {
      const tenant = await quietApi.tenantId("Acme");
      const user = (await quietApi.all(tenant)).find((u) => u.callno === "2131");
      const path = `/api/admin/tenants/${tenant}/users/${user.id}/desk-phone`;
      expect((await ua.register()).status).toBe(200);
      // The REST round trip comes after the registration's listeners have run.
      expect((await quietApi.call("GET", path)).body.cti).toBe("disconnected");
      const sip = await quietApi.call("GET", "/api/admin/trace?kind=sip");
      expect(
        sip.body.entries.filter((e: { summary: { method?: string } }) => e.summary.method === "INVITE"),
      ).toEqual([]);

      const scripted = new ScriptedCstaPbx(ua);
      const dnd = quietApi.call("POST", `${path}/dnd`, { json: { on: true } });
      await scripted.acceptSession();
      expect((await dnd).status).toBe(200);
      expect(scripted.requests.map((m) => m.type)).toEqual([
        "MonitorStart",
        "SnapshotDevice",
        "GetDoNotDisturb",
        "GetForwarding",
        "SetDoNotDisturb",
      ]);
      scripted.stop();
    } finally {
      ua.close();
      await quietApi.close();
      await quiet.close();
    }
  });
});
