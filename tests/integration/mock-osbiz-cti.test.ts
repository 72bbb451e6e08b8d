import { randomBytes } from "node:crypto";
import type tls from "node:tls";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueServerCertificate } from "../../src/certs/index.js";
import { buildCsta, type CstaMessage, type CstaMessageOf, parseCsta } from "../../src/cti/index.js";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import {
  createResponse,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serialize,
} from "../../src/sip/message/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { ScriptedTlsServer } from "../support/scripted-tls-server.js";
import { until } from "../support/until.js";

const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
`;
const CSTA = "application/csta+xml";

/**
 * The connector's end of the trunk, scripted: a TLS server the mock reconnects to (an Expert
 * Mode port change), which grants its REGISTER, opens a uaCSTA session (ECMA TR/87) with an
 * INVITE and speaks CSTA in INFOs. Every INFO of the mock is answered 200 and its CSTA kept.
 */
class ScriptedConnector extends ScriptedTlsServer {
  readonly received: SipMessage[] = [];
  readonly csta: CstaMessage[] = [];
  private seq = 1;
  private readonly callId = `csta-${randomBytes(6).toString("hex")}`;
  private readonly fromTag = randomBytes(4).toString("hex");
  private toTag = "";

  private constructor(server: tls.Server) {
    super(server);
  }

  static async listen(cert: { certPem: string; keyPem: string }): Promise<ScriptedConnector> {
    return new ScriptedConnector(await ScriptedTlsServer.bind(cert));
  }

  /** Open the CSTA session; resolves with the mock's final response. */
  async open(headers: Record<string, string> = { "Content-Type": CSTA }, body = ""): Promise<SipResponse> {
    const response = await this.request("INVITE", headers, body, false);
    if (response.status === 200) {
      this.toTag = response.to.params.tag ?? "";
      this.write(this.text("ACK", {}, "", this.seq - 1, true));
    }
    return response;
  }

  /** One CSTA request in an INFO: the SIP response, then the CSTA answer with the same invokeID. */
  async invoke(message: CstaMessage): Promise<CstaMessage> {
    const response = await this.info(buildCsta(message));
    expect(response.status).toBe(200);
    return this.next((m) => m.invokeId === message.invokeId && m.invokeId !== undefined);
  }

  info(body: string, contentType = CSTA): Promise<SipResponse> {
    return this.request("INFO", { "Content-Type": contentType }, body, true);
  }

  /** The first CSTA message from the mock that matches (consumed). */
  async next(match: (m: CstaMessage) => boolean, what = "a CSTA message"): Promise<CstaMessage> {
    let found: CstaMessage | undefined;
    await this.wakeups.until(
      () => {
        const i = this.csta.findIndex(match);
        if (i >= 0) found = this.csta.splice(i, 1)[0];
        return found !== undefined;
      },
      5000,
      `no ${what}; got ${this.csta.map((m) => m.type).join(", ")}`,
    );
    return found!;
  }

  async event<N extends CstaMessage["type"]>(type: N): Promise<CstaMessageOf<N>> {
    return (await this.next((m) => m.type === type, type)) as CstaMessageOf<N>;
  }

  private async request(
    method: string,
    headers: Record<string, string>,
    body: string,
    inDialog: boolean,
  ): Promise<SipResponse> {
    const seq = this.seq++;
    this.write(this.text(method, headers, body, seq, inDialog));
    let response: SipResponse | undefined;
    await this.wakeups.until(
      () => {
        const i = this.received.findIndex(
          (m) => m.kind === "response" && m.callId === this.callId && m.cseq.seq === seq && m.status >= 200,
        );
        if (i >= 0) response = this.received.splice(i, 1)[0] as SipResponse;
        return response !== undefined;
      },
      5000,
      `no final response to ${method}`,
    );
    return response!;
  }

  private text(
    method: string,
    headers: Record<string, string>,
    body: string,
    seq: number,
    inDialog: boolean,
  ) {
    const lines = [
      `${method} sip:${TRUNK.username}@127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${this.port};branch=z9hG4bK${randomBytes(6).toString("hex")}`,
      "Max-Forwards: 70",
      `From: <sip:cti@phoneapp.test>;tag=${this.fromTag}`,
      `To: <sip:${TRUNK.username}@phoneapp.test>${inDialog ? `;tag=${this.toTag}` : ""}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${seq} ${method}`,
      `Contact: <sip:cti@127.0.0.1:${this.port};transport=tls>`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${Buffer.byteLength(body)}`,
    ];
    return `${lines.join("\r\n")}\r\n\r\n${body}`;
  }

  /** REGISTER is granted, INFO answered 200 (its CSTA kept); the rest is kept for the test. */
  protected take(message: SipMessage): void {
    if (message.kind === "request" && message.method === "REGISTER") {
      const ok = createResponse(message, 200, "OK", "reg");
      ok.headers.set("expires", "600");
      this.write(serialize(ok));
      return;
    }
    if (message.kind === "request" && message.method === "INFO") {
      this.write(serialize(createResponse(message as SipRequest, 200, "OK")));
      this.csta.push(parseCsta(message.body.toString("utf8")));
      return;
    }
    this.received.push(message);
  }
}

let emulator: EmulatorHandle;
let mock: MockOsbiz | undefined;
let connector: ScriptedConnector;
let lines: string[];

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: "cti-admin", seedText: SEED });
  lines = [];
  const ca = createCertificateAuthority({});
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    // The emulator's CA for provisioning, the scripted connector's for the trunk.
    ca: `${emulator.certificates.caCertPem!}\n${ca.certPem}`,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }, { callno: "2132" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 44000, max: 44999 } },
    log: (line) => lines.push(line),
  });
  connector = await ScriptedConnector.listen(issueServerCertificate(ca, { hosts: [mock.system.sip.domain] }));
  await mock.applyExpertModeChange({ registrarPort: connector.port });
  await until(
    () => mock!.registered,
    () => `the mock registered with the scripted connector\n${lines.join("\n")}`,
  );
});

afterEach(async () => {
  await mock?.stop();
  mock = undefined;
  await connector.close();
  await emulator.close();
});

describe("the mock OSBiz's CSTA server (uaCSTA over the trunk's TLS connection)", () => {
  it("monitors a desk phone: snapshot, DND both ways, ringing, answering", async () => {
    const invite = await connector.open();
    expect(invite.status).toBe(200);
    expect(invite.headers.get("accept")).toBe(CSTA);

    const started = await connector.invoke({ type: "MonitorStart", invokeId: "1", monitorObject: "2131" });
    expect(started.type).toBe("MonitorStartResponse");
    const crossRef = (started as CstaMessageOf<"MonitorStartResponse">).monitorCrossRefID;
    expect(mock!.cstaSessions[0]?.monitors.get(crossRef)).toBe("2131");

    expect(await connector.invoke({ type: "SnapshotDevice", invokeId: "2", snapshotObject: "2131" })).toEqual(
      {
        type: "SnapshotDeviceResponse",
        invokeId: "2",
        crossRefIDorSnapshotData: [],
      },
    );

    const dnd = await connector.invoke({
      type: "SetDoNotDisturb",
      invokeId: "3",
      device: "2131",
      doNotDisturbOn: true,
    });
    expect(dnd.type).toBe("SetDoNotDisturbResponse");
    expect(await connector.event("DoNotDisturbEvent")).toMatchObject({
      monitorCrossRefID: crossRef,
      device: "2131",
      doNotDisturbOn: true,
    });
    expect(mock!.deskPhone("2131").dnd).toBe(true);
    // From the desk phone itself: the monitor hears it too.
    mock!.deskPhone("2131").setDnd(false);
    expect((await connector.event("DoNotDisturbEvent")).doNotDisturbOn).toBe(false);

    mock!.deskPhone("2131").ring("+4930123456");
    const delivered = await connector.event("DeliveredEvent");
    expect(delivered).toMatchObject({
      alertingDevice: "2131",
      callingDevice: "+4930123456",
      localConnectionInfo: "alerting",
    });

    const answered = await connector.invoke({
      type: "AnswerCall",
      invokeId: "4",
      callToBeAnswered: delivered.connection,
    });
    expect(answered.type).toBe("AnswerCallResponse");
    expect(await connector.event("EstablishedEvent")).toMatchObject({
      establishedConnection: delivered.connection,
      answeringDevice: "2131",
    });
    expect(mock!.deskPhone("2131").state).toBe("connected");

    await connector.invoke({ type: "HoldCall", invokeId: "5", callToBeHeld: delivered.connection });
    expect((await connector.event("HeldEvent")).localConnectionInfo).toBe("hold");
    await connector.invoke({ type: "RetrieveCall", invokeId: "6", callToBeRetrieved: delivered.connection });
    await connector.event("RetrievedEvent");
    await connector.invoke({
      type: "ClearConnection",
      invokeId: "7",
      connectionToBeCleared: delivered.connection,
    });
    await connector.event("ConnectionClearedEvent");
    expect(mock!.deskPhone("2131").state).toBe("idle");
  });

  it("makes a call from one desk phone to another, deflects and forwards", async () => {
    await connector.open();
    await connector.invoke({ type: "MonitorStart", invokeId: "1", monitorObject: "2131" });
    const made = await connector.invoke({
      type: "MakeCall",
      invokeId: "2",
      callingDevice: "2131",
      // A SIP URI names the user as well as its callno does.
      calledDirectoryNumber: "sip:2132@osbiz.test",
    });
    expect(made.type).toBe("MakeCallResponse");
    await connector.event("ServiceInitiatedEvent");
    expect(await connector.event("OriginatedEvent")).toMatchObject({
      callingDevice: "2131",
      calledDevice: "2132",
    });
    expect((await connector.event("DeliveredEvent")).alertingDevice).toBe("2132");
    mock!.deskPhone("2132").answer();
    expect((await connector.event("EstablishedEvent")).answeringDevice).toBe("2132");
    mock!.deskPhone("2132").hangup();
    expect((await connector.event("ConnectionClearedEvent")).releasingDevice).toBe("2132");

    mock!.deskPhone("2131").ring("+4930123456");
    const ringing = await connector.event("DeliveredEvent");
    const deflected = await connector.invoke({
      type: "DeflectCall",
      invokeId: "5",
      callToBeDiverted: ringing.connection,
      newDestination: "2132",
    });
    expect(deflected.type).toBe("DeflectCallResponse");
    expect(await connector.event("DivertedEvent")).toMatchObject({
      divertingDevice: "2131",
      newDestination: "2132",
    });
    expect(mock!.deskPhone("2132").snapshot()).toMatchObject({ state: "ringing", peer: "+4930123456" });
    mock!.deskPhone("2132").hangup();

    mock!.deskPhone("2131").ring("+4930999999");
    const second = await connector.event("DeliveredEvent");
    mock!.deskPhone("2131").answer();
    await connector.event("EstablishedEvent");
    const transferred = await connector.invoke({
      type: "SingleStepTransferCall",
      invokeId: "6",
      activeCall: second.connection,
      transferredTo: "2132",
    });
    expect(transferred).toMatchObject({
      type: "SingleStepTransferCallResponse",
      transferredCall: { callID: second.connection.callID, deviceID: "2132" },
    });
    expect(await connector.event("TransferedEvent")).toMatchObject({
      transferringDevice: "2131",
      transferredToDevice: "2132",
      localConnectionInfo: "null",
    });
    expect(mock!.deskPhone("2132").snapshot()).toMatchObject({ state: "ringing", peer: "+4930999999" });

    const forward = await connector.invoke({
      type: "SetForwarding",
      invokeId: "3",
      device: "2131",
      forwardingType: "forwardImmediate",
      activateForward: true,
      // The user's full number (location number + callno) is the user too.
      forwardDN: "+4923026672132",
    });
    expect(forward.type).toBe("SetForwardingResponse");
    expect(await connector.event("ForwardingEvent")).toMatchObject({
      forwardStatus: true,
      forwardTo: "2132",
    });
    const got = await connector.invoke({ type: "GetForwarding", invokeId: "4", device: "2131" });
    expect((got as CstaMessageOf<"GetForwardingResponse">).forwardingList).toContainEqual({
      forwardingType: "forwardImmediate",
      forwardStatus: true,
      forwardDN: "2132",
    });
  });

  it("consults, alternates and transfers: one held and one active call (ECMA-269 events)", async () => {
    await connector.open();
    await connector.invoke({ type: "MonitorStart", invokeId: "1", monitorObject: "2131" });
    mock!.deskPhone("2131").ring("+4930123456");
    const first = (await connector.event("DeliveredEvent")).connection;
    await connector.invoke({ type: "AnswerCall", invokeId: "2", callToBeAnswered: first });
    await connector.event("EstablishedEvent");

    const consulted = await connector.invoke({
      type: "ConsultationCall",
      invokeId: "3",
      existingCall: first,
      consultedDevice: "2132",
    });
    expect(consulted.type).toBe("ConsultationCallResponse");
    const second = (consulted as CstaMessageOf<"ConsultationCallResponse">).initiatedCall;
    expect(second.callID).not.toBe(first.callID);
    expect(await connector.event("HeldEvent")).toMatchObject({
      heldConnection: first,
      localConnectionInfo: "hold",
    });
    await connector.event("ServiceInitiatedEvent");
    expect(await connector.event("OriginatedEvent")).toMatchObject({
      callingDevice: "2131",
      calledDevice: "2132",
    });
    expect((await connector.event("DeliveredEvent")).alertingDevice).toBe("2132");
    mock!.deskPhone("2132").answer();
    expect((await connector.event("EstablishedEvent")).answeringDevice).toBe("2132");
    const snapshot = await connector.invoke({
      type: "SnapshotDevice",
      invokeId: "4",
      snapshotObject: "2131",
    });
    expect((snapshot as CstaMessageOf<"SnapshotDeviceResponse">).crossRefIDorSnapshotData).toEqual([
      { connectionIdentifier: first, localConnectionState: "hold" },
      { connectionIdentifier: second, localConnectionState: "connected" },
    ]);

    const alternated = await connector.invoke({
      type: "AlternateCall",
      invokeId: "5",
      heldCall: first,
      activeCall: second,
    });
    expect(alternated.type).toBe("AlternateCallResponse");
    expect((await connector.event("HeldEvent")).heldConnection.callID).toBe(second.callID);
    expect((await connector.event("RetrievedEvent")).retrievedConnection.callID).toBe(first.callID);
    await connector.invoke({ type: "AlternateCall", invokeId: "6", heldCall: second, activeCall: first });
    await connector.event("HeldEvent");
    await connector.event("RetrievedEvent");

    const transferred = await connector.invoke({
      type: "TransferCall",
      invokeId: "7",
      heldCall: first,
      activeCall: second,
    });
    expect(transferred).toMatchObject({
      type: "TransferCallResponse",
      transferredCall: { deviceID: "2132" },
    });
    expect(await connector.event("TransferedEvent")).toMatchObject({
      primaryOldCall: first,
      secondaryOldCall: second,
      transferringDevice: "2131",
      transferredToDevice: "2132",
      localConnectionInfo: "null",
    });
    expect(mock!.deskPhone("2131").state).toBe("idle");
    expect(mock!.deskPhone("2132").snapshot()).toMatchObject({ state: "connected", peer: "+4930123456" });
  });

  it("answers bad CSTA with CSTAErrorCode and bad SIP with 4xx, and keeps serving", async () => {
    const refused = await connector.open({ "Content-Type": "text/plain", Accept: CSTA }, "hello");
    expect(refused.status).toBe(415);
    expect(refused.headers.get("accept")).toBe(CSTA);
    expect((await connector.open()).status).toBe(200);

    expect((await connector.info("<MonitorStart", CSTA)).status).toBe(200);
    expect(await connector.event("CSTAErrorCode")).toMatchObject({ category: "operation", value: "generic" });
    expect((await connector.info("<x/>", "text/plain")).status).toBe(415);
    expect((await connector.info("", CSTA)).status).toBe(400);

    expect(
      await connector.invoke({ type: "MonitorStart", invokeId: "9", monitorObject: "9999" }),
    ).toMatchObject({
      type: "CSTAErrorCode",
      category: "operation",
      value: "invalidDeviceID",
    });
    expect(
      await connector.invoke({
        type: "AnswerCall",
        invokeId: "10",
        callToBeAnswered: { callID: "dc9", deviceID: "2131" },
      }),
    ).toMatchObject({ type: "CSTAErrorCode", value: "invalidConnectionID" });
    expect(
      await connector.invoke({
        type: "TransferCall",
        invokeId: "11",
        heldCall: { callID: "x", deviceID: "2131" },
        activeCall: { callID: "y", deviceID: "2131" },
      }),
    ).toMatchObject({ type: "CSTAErrorCode", category: "operation", value: "invalidConnectionID" });
    // Still serving.
    expect((await connector.invoke({ type: "GetDoNotDisturb", invokeId: "12", device: "2131" })).type).toBe(
      "GetDoNotDisturbResponse",
    );
  });
});
