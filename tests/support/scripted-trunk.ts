import { randomBytes } from "node:crypto";
import type tls from "node:tls";
import {
  createResponse,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serialize,
} from "../../src/sip/message/index.js";
import { sdpOffer } from "./pbx-test-ua.js";
import { ScriptedTlsServer } from "./scripted-tls-server.js";

const hex = (n: number) => randomBytes(n).toString("hex");

/** One call on the scripted trunk: the dialog as the connector's end sees it. */
export interface TrunkDialog {
  readonly callId: string;
  /** The connector's tag (To tag of the mock's INVITE, From tag of ours). */
  readonly localTag: string;
  remoteTag: string;
  /** Where in-dialog requests go (the mock's Contact). */
  remoteTarget: string;
  /** The mock's URI as From/To carry it. */
  remoteUri: string;
  localUri: string;
  /** The mock's INVITE, when it called us. */
  readonly invite?: SipRequest;
  cseq: number;
  answered: boolean;
  cancelled: boolean;
}

/**
 * The connector's end of the trunk, scripted over TLS for the mock OSBiz's tests: grants
 * REGISTER, lets the test ring / answer the mock's INVITEs (a CANCEL gets 200 + 487), answers
 * in-dialog NOTIFY / BYE / INFO with 200, and sends REFER, BYE or its own INVITEs. Everything
 * received is kept in `received`.
 */
export class ScriptedTrunk extends ScriptedTlsServer {
  readonly received: SipMessage[] = [];
  readonly dialogs = new Map<string, TrunkDialog>();

  private constructor(server: tls.Server) {
    super(server);
  }

  static async listen(cert: { certPem: string; keyPem: string }): Promise<ScriptedTrunk> {
    return new ScriptedTrunk(await ScriptedTlsServer.bind(cert));
  }

  /** The first received request that matches (kept in `received`). */
  async request(method: string, match: (r: SipRequest) => boolean = () => true): Promise<SipRequest> {
    let found: SipRequest | undefined;
    await this.wakeups.until(
      () => {
        found = this.received.find(
          (m): m is SipRequest => m.kind === "request" && m.method === method && match(m),
        );
        return found !== undefined;
      },
      10_000,
      `no ${method}; got ${this.received.map((m) => (m.kind === "request" ? m.method : m.status)).join(", ")}`,
    );
    return found!;
  }

  /** The mock's INVITE to `user` (its Request-URI user), once it arrived. */
  invite(user: string): Promise<SipRequest> {
    return this.request("INVITE", (r) => r.requestUri.user === user && !r.to.params.tag);
  }

  /** NOTIFYs received in the dialog of `callId`, their sipfrag status lines in order. */
  notifies(callId: string): string[] {
    return this.received
      .filter((m): m is SipRequest => m.kind === "request" && m.method === "NOTIFY" && m.callId === callId)
      .map((m) => m.body.toString("utf8").split("\r\n")[0]!);
  }

  /** 180 Ringing to the mock's INVITE (the dialog starts, early). */
  ring(invite: SipRequest): TrunkDialog {
    const dialog = this.dialogOf(invite);
    this.write(serialize(this.answerTo(invite, 180, "Ringing", dialog)));
    return dialog;
  }

  /** 200 OK with an SDP answer to the mock's INVITE. */
  answer(invite: SipRequest): TrunkDialog {
    const dialog = this.dialogOf(invite);
    const ok = this.answerTo(invite, 200, "OK", dialog);
    ok.headers.set("content-type", "application/sdp");
    ok.body = Buffer.from(sdpOffer(40000 + Math.floor(Math.random() * 1000) * 2));
    this.write(serialize(ok));
    dialog.answered = true;
    return dialog;
  }

  /** A final refusal of the mock's INVITE (486, 603…). */
  refuse(invite: SipRequest, status: number, reason: string): void {
    this.write(serialize(this.answerTo(invite, status, reason, this.dialogOf(invite))));
  }

  /** An INVITE of ours to `user` on the mock (the connector calls a PBX user); resolves with its final response. */
  async call(user: string, from: string): Promise<{ response: SipResponse; dialog: TrunkDialog }> {
    const callId = `trunk-${hex(6)}`;
    const dialog: TrunkDialog = {
      callId,
      localTag: hex(4),
      remoteTag: "",
      remoteTarget: `sip:${user}@127.0.0.1`,
      remoteUri: `<sip:${user}@phoneapp.test>`,
      localUri: `<sip:${from}@phoneapp.test>`,
      cseq: 1,
      answered: false,
      cancelled: false,
    };
    this.dialogs.set(callId, dialog);
    const body = sdpOffer(41000 + Math.floor(Math.random() * 1000) * 2);
    const text = this.text("INVITE", dialog, { "Content-Type": "application/sdp" }, body, false);
    this.write(text);
    const response = await this.response(callId, 1);
    if (response.status < 300) {
      dialog.remoteTag = response.to.params.tag ?? "";
      const contact = /<([^>]+)>/.exec(response.headers.get("contact") ?? "")?.[1];
      if (contact) dialog.remoteTarget = contact;
      dialog.answered = true;
      this.write(this.text("ACK", dialog, {}, "", true, 1));
    }
    return { response, dialog };
  }

  /** A request of ours inside a dialog (REFER, BYE…); resolves with its final response. */
  async send(
    dialog: TrunkDialog,
    method: string,
    headers: Record<string, string> = {},
  ): Promise<SipResponse> {
    const seq = ++dialog.cseq;
    this.write(this.text(method, dialog, headers, "", true, seq));
    return this.response(dialog.callId, seq);
  }

  /** The dialog of a call the mock placed (after ring/answer). */
  dialogOf(invite: SipRequest): TrunkDialog {
    const existing = this.dialogs.get(invite.callId);
    if (existing) return existing;
    const contact = /<([^>]+)>/.exec(invite.headers.get("contact") ?? "")?.[1] ?? invite.uri;
    const dialog: TrunkDialog = {
      callId: invite.callId,
      localTag: hex(4),
      remoteTag: invite.from.params.tag ?? "",
      remoteTarget: contact,
      remoteUri: `<sip:${invite.from.uri.user}@${invite.from.uri.host}>`,
      localUri: `<sip:${invite.to.uri.user}@${invite.to.uri.host}>`,
      invite,
      cseq: 0,
      answered: false,
      cancelled: false,
    };
    this.dialogs.set(invite.callId, dialog);
    return dialog;
  }

  /** The Replaces value naming `dialog` as the mock sees it (RFC 3891: to-tag = the mock's tag). */
  static replaces(dialog: TrunkDialog): string {
    return `${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`;
  }

  private async response(callId: string, seq: number): Promise<SipResponse> {
    let found: SipResponse | undefined;
    await this.wakeups.until(
      () => {
        found = this.received.find(
          (m): m is SipResponse =>
            m.kind === "response" && m.callId === callId && m.cseq.seq === seq && m.status >= 200,
        );
        return found !== undefined;
      },
      10_000,
      `no final response (${callId} CSeq ${seq})`,
    );
    return found!;
  }

  private answerTo(invite: SipRequest, status: number, reason: string, dialog: TrunkDialog): SipResponse {
    const response = createResponse(invite, status, reason, dialog.localTag);
    response.headers.append("contact", `<sip:connector@127.0.0.1:${this.port};transport=tls>`);
    return response;
  }

  private text(
    method: string,
    dialog: TrunkDialog,
    headers: Record<string, string>,
    body: string,
    inDialog: boolean,
    seq = dialog.cseq,
  ): string {
    const lines = [
      `${method} ${dialog.remoteTarget} SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${this.port};branch=z9hG4bK${hex(6)}`,
      "Max-Forwards: 70",
      `From: ${dialog.localUri};tag=${dialog.localTag}`,
      `To: ${dialog.remoteUri}${inDialog && dialog.remoteTag ? `;tag=${dialog.remoteTag}` : ""}`,
      `Call-ID: ${dialog.callId}`,
      `CSeq: ${seq} ${method}`,
      `Contact: <sip:connector@127.0.0.1:${this.port};transport=tls>`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${Buffer.byteLength(body)}`,
    ];
    return `${lines.join("\r\n")}\r\n\r\n${body}`;
  }

  /** REGISTER granted; NOTIFY, BYE, INFO, OPTIONS answered 200; CANCEL 200 + 487; all kept. */
  protected take(message: SipMessage): void {
    this.received.push(message);
    if (message.kind !== "request") return;
    const request = message as SipRequest;
    switch (request.method) {
      case "REGISTER": {
        const ok = createResponse(request, 200, "OK", "reg");
        ok.headers.set("expires", "600");
        this.write(serialize(ok));
        return;
      }
      case "NOTIFY":
      case "BYE":
      case "INFO":
      case "OPTIONS":
        this.write(serialize(createResponse(request, 200, "OK")));
        return;
      case "CANCEL": {
        this.write(serialize(createResponse(request, 200, "OK")));
        const dialog = this.dialogs.get(request.callId);
        const invite = dialog?.invite ?? this.inviteOf(request.callId);
        if (invite && !dialog?.answered) {
          const tag = dialog?.localTag ?? hex(4);
          this.write(serialize(createResponse(invite, 487, "Request Terminated", tag)));
          if (dialog) dialog.cancelled = true;
        }
        return;
      }
      default:
    }
  }

  private inviteOf(callId: string): SipRequest | undefined {
    return this.received.find(
      (m): m is SipRequest => m.kind === "request" && m.method === "INVITE" && m.callId === callId,
    );
  }
}
