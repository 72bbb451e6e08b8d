import { randomBytes } from "node:crypto";
import type { EmulatorHandle } from "../../src/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/message/index.js";
import { authorizationFor, parseChallenge, registerText, SipTestClient } from "./sip-test-client.js";

export function sdpOffer(
  port: number,
  options: { direction?: string; srtpOnly?: boolean; codecs?: string } = {},
): string {
  const profile = options.srtpOnly ? "RTP/SAVP" : "RTP/AVP";
  return [
    "v=0",
    "o=osbiz 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} ${profile} ${options.codecs ?? "8 0 101"}`,
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    ...(options.srtpOnly
      ? ["a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"]
      : []),
    `a=${options.direction ?? "sendrecv"}`,
    "",
  ].join("\r\n");
}

const hex = (n: number) => randomBytes(n).toString("hex");

/**
 * A PBX trunk for tests, speaking raw SIP over TLS: registers with digest, sends INVITEs
 * (and what follows in the dialog), and answers the emulator's requests.
 */
export class PbxTestUa {
  private cseq = 1;
  private outOfDialogCount = 0;
  readonly fromTag = hex(4);

  private constructor(
    readonly client: SipTestClient,
    readonly user: string,
    private readonly password: string,
  ) {}

  static async connect(emulator: EmulatorHandle, user: string, password: string): Promise<PbxTestUa> {
    const client = await SipTestClient.connectTls(emulator.ports.sip, {
      ca: emulator.certificates.caCertPem!,
    });
    return new PbxTestUa(client, user, password);
  }

  get port(): number {
    return this.client.localPort;
  }

  async register(): Promise<SipResponse> {
    const callId = `reg-${hex(4)}`;
    const first = await this.client.request(
      registerText({ user: this.user, localPort: this.port, callId, cseq: 1 }),
    );
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers.get("www-authenticate")!);
    const authorization = authorizationFor({
      challenge,
      user: this.user,
      password: this.password,
      uri: "sip:phoneapp.unify.com",
    });
    return this.client.request(
      registerText({ user: this.user, localPort: this.port, callId, cseq: 2, authorization }),
    );
  }

  /**
   * An out-of-dialog request to Al (+4923026672131) from this trunk, as text for
   * `client.request`: each one a new transaction and Call-ID.
   */
  outOfDialog(
    method: string,
    opts: { headers?: string[]; body?: string; contentType?: string } = {},
  ): string {
    const n = ++this.outOfDialogCount;
    const body = opts.body ?? "";
    return [
      `${method} sip:+4923026672131@phoneapp.unify.com SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${this.port};branch=z9hG4bKood${n}${hex(2)}`,
      "Max-Forwards: 70",
      `From: <sip:${this.user}@phoneapp.unify.com>;tag=ood${n}`,
      "To: <sip:+4923026672131@phoneapp.unify.com>",
      `Call-ID: ood-${n}-${hex(4)}`,
      `CSeq: ${n} ${method}`,
      `Contact: <sip:${this.user}@127.0.0.1:${this.port};transport=tls>`,
      ...(opts.headers ?? []),
      ...(body ? [`Content-Type: ${opts.contentType ?? "text/plain"}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n");
  }

  /** Send an INVITE; returns its Call-ID, branch and text so the test can follow up. */
  sendInvite(
    to: string,
    sdp: string | null,
    extra: string[] = [],
  ): { callId: string; branch: string; text: string } {
    const callId = `inv-${hex(6)}`;
    const branch = `z9hG4bK${hex(8)}`;
    const body = sdp ?? "";
    const text = [
      `INVITE sip:${to}@phoneapp.unify.com SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${this.port};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: <sip:${this.user}@phoneapp.unify.com>;tag=${this.fromTag}`,
      `To: <sip:${to}@phoneapp.unify.com>`,
      `Call-ID: ${callId}`,
      `CSeq: ${this.cseq++} INVITE`,
      `Contact: <sip:${this.user}@127.0.0.1:${this.port};transport=tls>`,
      ...extra,
      ...(sdp === null ? [] : ["Content-Type: application/sdp"]),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n");
    this.client.write(text);
    return { callId, branch, text };
  }

  /** The next response to `callId` with a status ≥ `min`. */
  response(callId: string, min = 200, method = "INVITE"): Promise<SipResponse> {
    return this.client.waitFor(
      (m): m is SipResponse =>
        m.kind === "response" && m.callId === callId && m.status >= min && m.cseq.method === method,
      10_000,
    );
  }

  /** The next request of `method` the emulator sends us. */
  incoming(method: string, callId?: string): Promise<SipRequest> {
    return this.client.waitFor(
      (m: SipMessage): m is SipRequest =>
        m.kind === "request" && m.method === method && (!callId || m.callId === callId),
      10_000,
    );
  }

  /** ACK for a 2xx (a new transaction) or for a final non-2xx (same branch). */
  ack(response: SipResponse, invite: { branch: string }, sdp?: string): void {
    const branch = response.status >= 300 ? invite.branch : `z9hG4bK${hex(8)}`;
    const body = sdp ?? "";
    this.client.write(
      [
        `ACK ${uriOf(response.headers.get("contact")) ?? `sip:x@phoneapp.unify.com`} SIP/2.0`,
        `Via: SIP/2.0/TLS 127.0.0.1:${this.port};branch=${branch}`,
        "Max-Forwards: 70",
        `From: ${response.headers.get("from")}`,
        `To: ${response.headers.get("to")}`,
        `Call-ID: ${response.callId}`,
        `CSeq: ${response.cseq.seq} ACK`,
        ...(sdp ? ["Content-Type: application/sdp"] : []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n"),
    );
  }

  /** A request inside the dialog a 2xx created (we are the caller: From is ours). */
  inDialog(
    method: string,
    answered: SipResponse,
    options: { body?: string; contentType?: string; headers?: string[] } = {},
  ): string {
    const callId = answered.callId;
    const body = options.body ?? "";
    this.client.write(
      [
        `${method} ${uriOf(answered.headers.get("contact")) ?? "sip:x@phoneapp.unify.com"} SIP/2.0`,
        `Via: SIP/2.0/TLS 127.0.0.1:${this.port};branch=z9hG4bK${hex(8)}`,
        "Max-Forwards: 70",
        `From: ${answered.headers.get("from")}`,
        `To: ${answered.headers.get("to")}`,
        `Call-ID: ${callId}`,
        `CSeq: ${this.cseq++} ${method}`,
        `Contact: <sip:${this.user}@127.0.0.1:${this.port};transport=tls>`,
        ...(options.headers ?? []),
        ...(options.contentType ? [`Content-Type: ${options.contentType}`] : []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n"),
    );
    return callId;
  }

  /** Answer a request the emulator sent us. */
  respond(
    request: SipRequest,
    status: number,
    reason: string,
    options: { sdp?: string; toTag?: string } = {},
  ): void {
    const to = request.headers.get("to")!;
    const body = options.sdp ?? "";
    this.client.write(
      [
        `SIP/2.0 ${status} ${reason}`,
        ...request.headers.getAll("via").map((v) => `Via: ${v}`),
        `From: ${request.headers.get("from")}`,
        `To: ${/;tag=/.test(to) ? to : `${to};tag=${options.toTag ?? "pbx1"}`}`,
        `Call-ID: ${request.callId}`,
        `CSeq: ${request.cseq.seq} ${request.cseq.method}`,
        `Contact: <sip:${this.user}@127.0.0.1:${this.port};transport=tls>`,
        ...(options.sdp ? ["Content-Type: application/sdp"] : []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n"),
    );
  }

  close(): void {
    this.client.close();
  }
}

function uriOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /<([^>]+)>/.exec(value);
  return m ? m[1] : value.split(";")[0];
}
