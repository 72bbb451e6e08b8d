import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { expect } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { type ClientCall, UnifyPhoneClient } from "../../src/phone-client/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/message/index.js";
import { startTestEmulator, TRUNK } from "./emulator.js";
import { httpClient } from "./http.js";
import { PbxTestUa, sdpOffer } from "./pbx-test-ua.js";
import { until } from "./until.js";

/*
 * The stage of the client call-feature tests: an emulator with Al (2131) and Bo (2132) on
 * one trunk, the trunk's PBX as a raw-SIP test UA with UDP sockets as its media, and Al's
 * sip.js clients.
 */

export const AL = "+4923026672131";
const PASSWORD = "client-pass-features";
const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        simultaneousCalls: 4
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
      - { emailAddress: bo@acme.test, firstName: Bo, lastName: Bee, locale: de-DE, callno: "2132", system: osbiz-1 }
`;

export interface JournalCall {
  id: string;
  state: string;
  hangupCause: string | null;
  legs: { kind: string; callId: string; status?: number }[];
  events: { type: string; detail?: string }[];
}

export class Stage {
  readonly clients: UnifyPhoneClient[] = [];
  readonly sockets: dgram.Socket[] = [];
  private constructor(
    readonly emulator: EmulatorHandle,
    readonly pbx: PbxTestUa,
    readonly http: ReturnType<typeof httpClient>,
    readonly userId: string,
  ) {}

  static async start(): Promise<Stage> {
    const emulator = await startTestEmulator({ seedText: SEED, rtpPorts: { min: 47000, max: 47999 } });
    const http = httpClient(emulator);
    const tenantId = emulator.store.tenants.list()[0]!.id;
    const userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
    const user = `/api/admin/tenants/${tenantId}/users/${userId}`;
    expect((await http.admin("PUT", `${user}/client-password`, { password: PASSWORD })).status).toBe(204);
    expect((await http.admin("PATCH", user, { callBehaviour: { routing: "clients-only" } })).status).toBe(
      200,
    );
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(200);
    return new Stage(emulator, pbx, http, userId);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => c.close()));
    for (const socket of this.sockets) socket.close();
    this.pbx.close();
    await this.emulator.close();
  }

  /** Al's client password, and the emulator's SIP WebSocket URL. */
  readonly password = PASSWORD;

  get wsUrl(): string {
    return `${this.emulator.urls.https.replace(/^https:/, "wss:")}/ws`;
  }

  /** A registered client of Al's. */
  async client(): Promise<UnifyPhoneClient> {
    const c = await UnifyPhoneClient.connect({
      url: this.wsUrl,
      userId: this.userId,
      password: PASSWORD,
      ca: this.emulator.certificates.caCertPem!,
    });
    this.clients.push(c);
    await c.register();
    return c;
  }

  /** RTP payloads each of the PBX's media sockets received, by its port. */
  readonly received = new Map<number, Buffer[]>();

  /** A UDP socket standing for one of the PBX's media endpoints; what it receives goes to `received`. */
  async rtpPort(): Promise<number> {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    this.sockets.push(socket);
    const port = socket.address().port;
    const payloads: Buffer[] = [];
    this.received.set(port, payloads);
    socket.on("message", (data) => {
      if (data.length > 12 && (data[1]! & 0x7f) < 72) payloads.push(Buffer.from(data.subarray(12)));
    });
    return port;
  }

  /** Send `payload` as A-law RTP from the PBX's socket `fromPort` to the connector's `toPort`, `count` packets 20 ms apart. */
  async talk(fromPort: number, toPort: number, payload: Buffer, count: number): Promise<void> {
    const socket = this.sockets.find((s) => s.address().port === fromPort)!;
    for (let seq = 0; seq < count; seq++) {
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header[1] = 8;
      header.writeUInt16BE(seq, 2);
      header.writeUInt32BE(seq * 160, 4);
      header.writeUInt32BE(fromPort, 8);
      socket.send(Buffer.concat([header, payload]), toPort, "127.0.0.1");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** `count` G.711 A-law RTP packets to the connector's port `port`, from a new socket of the PBX's. */
  async sendRtp(port: number, count: number): Promise<void> {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    this.sockets.push(socket);
    for (let seq = 0; seq < count; seq++) {
      const header = Buffer.from([
        0x80,
        8,
        0,
        seq,
        0,
        0,
        (seq * 160) >> 8,
        (seq * 160) & 0xff,
        0,
        0,
        0x12,
        0x34,
      ]);
      socket.send(Buffer.concat([header, Buffer.alloc(160, 0xd5)]), port, "127.0.0.1");
    }
  }

  /** The PBX calls Al; `client` answers. The PBX's INVITE, 200 and the client's call. */
  async pbxCalls(client: UnifyPhoneClient): Promise<{ ok: SipResponse; call: ClientCall; port: number }> {
    const ringing = new Promise<ClientCall>((resolve) => {
      const off = client.onIncoming((call) => {
        off();
        resolve(call);
      });
    });
    const port = await this.rtpPort();
    const invite = this.pbx.sendInvite(AL, sdpOffer(port));
    const call = await ringing;
    await call.answer();
    const ok = await this.pbx.response(invite.callId, 200);
    expect(ok.status).toBe(200);
    this.pbx.ack(ok, invite);
    await call.established();
    // The client offered in its 200 (late offer): its call is ready once our ACK brought the answer.
    await until(() => call.mediaDirection === "sendrecv", "the client's media to be negotiated");
    return { ok, call, port };
  }

  /** Al's client calls `number`; the PBX answers. The PBX's view of the INVITE and the client's call. */
  async clientCalls(
    client: UnifyPhoneClient,
    number: string,
  ): Promise<{ invite: SipRequest; call: ClientCall; port: number }> {
    const placed = client.call(number);
    const invite = await this.pbx.incoming("INVITE");
    const tag = `pbx${randomBytes(3).toString("hex")}`;
    const port = await this.rtpPort();
    this.pbx.respond(invite, 200, "OK", { sdp: sdpOffer(port), toTag: tag });
    await this.pbx.incoming("ACK", invite.callId);
    const call = await placed;
    return { invite: withToTag(invite, tag), call, port };
  }

  /** Answer a request the emulator sent in a call (re-INVITE: with SDP in `direction`). */
  async answerReinvite(callId: string, direction = "sendrecv"): Promise<SipRequest> {
    const reinvite = await this.pbx.incoming("INVITE", callId);
    this.pbx.respond(reinvite, 200, "OK", { sdp: sdpOffer(await this.rtpPort(), { direction }) });
    return reinvite;
  }

  async journal(): Promise<JournalCall[]> {
    return (await this.http.admin("GET", "/api/admin/calls")).body;
  }

  /** The first journal entry one of whose legs has this SIP Call-ID (a bridge's call has it too). */
  async entryOf(sipCallId: string): Promise<JournalCall> {
    const entry = (await this.journal()).findLast((c) => c.legs.some((l) => l.callId === sipCallId));
    expect(entry, `journal entry with leg ${sipCallId}`).toBeDefined();
    return entry!;
  }

  async untilEnded(sipCallId: string): Promise<JournalCall> {
    let entry: JournalCall | undefined;
    await until(async () => {
      entry = await this.entryOf(sipCallId);
      return entry.state === "ended";
    }, `call with leg ${sipCallId} to end`);
    return entry!;
  }

  /** A request the PBX sends in a dialog where it was the callee (`invite` is the emulator's INVITE). */
  sendAsCallee(
    method: string,
    invite: SipRequest,
    options: { headers?: string[]; body?: string } = {},
  ): void {
    const body = options.body ?? "";
    const contact = /<([^>]+)>/.exec(invite.headers.get("contact") ?? "")?.[1] ?? "sip:x@phoneapp.unify.com";
    this.pbx.client.write(
      [
        `${method} ${contact} SIP/2.0`,
        `Via: SIP/2.0/TLS 127.0.0.1:${this.pbx.port};branch=z9hG4bK${randomBytes(6).toString("hex")}`,
        "Max-Forwards: 70",
        `From: ${invite.headers.get("to")}`,
        `To: ${invite.headers.get("from")}`,
        `Call-ID: ${invite.callId}`,
        `CSeq: ${100 + Math.floor(Math.random() * 1000)} ${method}`,
        `Contact: <sip:${this.pbx.user}@127.0.0.1:${this.pbx.port};transport=tls>`,
        ...(options.headers ?? []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n"),
    );
  }
}

/** REFER in the client's call with exactly these headers (none: no Refer-To); the final status. */
export function rawRefer(call: ClientCall, headers: string[]): Promise<{ status: number; reason: string }> {
  const dialog = call.session.dialog;
  if (!dialog) throw new Error("the call has no dialog");
  return new Promise((resolve) => {
    const settle = (r: { message: { statusCode?: number; reasonPhrase?: string } }) =>
      resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? "" });
    dialog.refer({ onReject: settle, onAccept: settle }, { extraHeaders: headers });
  });
}

/** The PBX's NOTIFY of a REFER's progress (RFC 3515 §2.4.5) in a dialog it called in. */
export function referNotify(
  status: string,
  final: boolean,
): { headers: string[]; body: string; contentType: string } {
  return {
    headers: [
      "Event: refer",
      `Subscription-State: ${final ? "terminated;reason=noresource" : "active;expires=60"}`,
    ],
    body: `${status}\r\n`,
    contentType: "message/sipfrag;version=2.0",
  };
}

function withToTag(invite: SipRequest, tag: string): SipRequest {
  invite.headers.set("to", `${invite.headers.get("to")};tag=${tag}`);
  return invite;
}

export function types(entry: JournalCall): string[] {
  return entry.events.map((e) => e.type);
}
