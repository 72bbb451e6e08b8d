import { createHash } from "node:crypto";

export const DOMAIN = "phoneapp.unify.com";

/** What the tools read of a SIP message from the emulator. */
export interface WireMessage {
  /** 0 for a request. */
  readonly status: number;
  /** The request's method, or the CSeq method of a response. */
  readonly method: string;
  /** Start line and header lines, CRLF-terminated, without the empty line. */
  readonly head: string;
  readonly body: string;
}

/** Value of the first `name` header line (the emulator writes canonical names). */
export function header(head: string, name: string): string {
  const prefix = `\r\n${name.toLowerCase()}:`;
  const lower = head.toLowerCase();
  const at = lower.indexOf(prefix);
  if (at < 0) return "";
  const from = at + prefix.length;
  const end = head.indexOf("\r\n", from);
  return head.slice(from, end < 0 ? head.length : end).trim();
}

/** A `name="value"` or `name=value` parameter of a header value (challenge, Via, To). */
export function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[;,\\s])${name}=(?:"([^"]*)"|([^;,\\s]+))`, "i").exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * Cuts a byte stream into SIP messages by Content-Length (RFC 3261 §18.3); bare CRLFs
 * between messages are keep-alive answers and skipped. Bounded: a peer that sends more
 * than `limit` bytes without a complete message resets the buffer.
 */
export class WireReader {
  #buffered = "";

  constructor(private readonly limit = 1_000_000) {}

  push(chunk: Buffer): WireMessage[] {
    this.#buffered += chunk.toString("latin1");
    const out: WireMessage[] = [];
    let pos = 0;
    for (;;) {
      while (this.#buffered.startsWith("\r\n", pos)) pos += 2;
      const end = this.#buffered.indexOf("\r\n\r\n", pos);
      if (end < 0) break;
      const head = this.#buffered.slice(pos, end + 2);
      const length = Number.parseInt(header(head, "Content-Length"), 10) || 0;
      if (end + 4 + length > this.#buffered.length) break;
      const body = this.#buffered.slice(end + 4, end + 4 + length);
      pos = end + 4 + length;
      const isResponse = head.startsWith("SIP/2.0 ");
      const cseq = header(head, "CSeq");
      out.push({
        status: isResponse ? Number.parseInt(head.slice(8, 11), 10) : 0,
        method: isResponse ? cseq.slice(cseq.indexOf(" ") + 1) : head.slice(0, head.indexOf(" ")),
        head,
        body,
      });
    }
    this.#buffered = this.#buffered.slice(pos);
    if (this.#buffered.length > this.limit) this.#buffered = "";
    return out;
  }
}

export interface RegisterFields {
  readonly user: string;
  readonly localPort: number;
  readonly transport: "TLS" | "TCP" | "UDP" | "WSS";
  readonly branch: string;
  readonly tag: string;
  readonly callId: string;
  readonly cseq: number;
  readonly expires: number;
  readonly authorization?: string;
}

/** A REGISTER as an OpenScape Business trunk sends it. */
export function registerText(f: RegisterFields): string {
  const transport = f.transport.toLowerCase();
  return (
    `REGISTER sip:${DOMAIN} SIP/2.0\r\n` +
    `Via: SIP/2.0/${f.transport} 127.0.0.1:${f.localPort};branch=z9hG4bK${f.branch};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    `From: <sip:${f.user}@${DOMAIN}>;tag=${f.tag}\r\n` +
    `To: <sip:${f.user}@${DOMAIN}>\r\n` +
    `Call-ID: ${f.callId}\r\n` +
    `CSeq: ${f.cseq} REGISTER\r\n` +
    `Contact: <sip:${f.user}@127.0.0.1:${f.localPort};transport=${transport}>\r\n` +
    `Expires: ${f.expires}\r\n` +
    (f.authorization === undefined ? "" : `Authorization: ${f.authorization}\r\n`) +
    "User-Agent: OpenScape Business V3R3 (upe tools)\r\n" +
    "Content-Length: 0\r\n\r\n"
  );
}

/** An SDP offer of PCMU only (RFC 3264 §5). */
export function pcmuOffer(rtpPort: number, sessionId: number): string {
  return (
    "v=0\r\n" +
    `o=osbiz ${sessionId} 1 IN IP4 127.0.0.1\r\n` +
    "s=-\r\n" +
    "c=IN IP4 127.0.0.1\r\n" +
    "t=0 0\r\n" +
    `m=audio ${rtpPort} RTP/AVP 0 101\r\n` +
    "a=rtpmap:0 PCMU/8000\r\n" +
    "a=rtpmap:101 telephone-event/8000\r\n" +
    "a=ptime:20\r\n" +
    "a=sendrecv\r\n"
  );
}

export interface DialogFields {
  readonly trunkUser: string;
  readonly localPort: number;
  readonly transport: "TLS" | "TCP" | "UDP" | "WSS";
  /** The dialed number (user part of the Request-URI and To). */
  readonly to: string;
  readonly callId: string;
  readonly fromTag: string;
  /** To tag once the dialog is established. */
  readonly toTag?: string;
  readonly branch: string;
  readonly cseq: number;
}

function dialogHeaders(method: string, f: DialogFields, uri: string): string {
  return (
    `${method} ${uri} SIP/2.0\r\n` +
    `Via: SIP/2.0/${f.transport} 127.0.0.1:${f.localPort};branch=z9hG4bK${f.branch};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    `From: <sip:${f.trunkUser}@${DOMAIN}>;tag=${f.fromTag}\r\n` +
    `To: <sip:${f.to}@${DOMAIN}>${f.toTag ? `;tag=${f.toTag}` : ""}\r\n` +
    `Call-ID: ${f.callId}\r\n` +
    `CSeq: ${f.cseq} ${method}\r\n`
  );
}

/** An INVITE from the PBX side over its trunk, with a PCMU offer. */
export function inviteText(f: DialogFields, rtpPort: number, sessionId: number): string {
  const sdp = pcmuOffer(rtpPort, sessionId);
  return (
    dialogHeaders("INVITE", f, `sip:${f.to}@${DOMAIN}`) +
    `Contact: <sip:${f.trunkUser}@127.0.0.1:${f.localPort};transport=${f.transport.toLowerCase()}>\r\n` +
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY\r\n" +
    "Content-Type: application/sdp\r\n" +
    `Content-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`
  );
}

/** ACK or BYE inside the dialog, sent to `target` (the remote Contact URI). */
export function inDialogText(method: "ACK" | "BYE", f: DialogFields, target: string): string {
  return `${dialogHeaders(method, f, target)}Content-Length: 0\r\n\r\n`;
}

export function optionsText(f: Omit<DialogFields, "toTag">): string {
  return `${dialogHeaders("OPTIONS", f, `sip:${DOMAIN}`)}Accept: application/sdp\r\nContent-Length: 0\r\n\r\n`;
}

/**
 * A response to a request the emulator sent (it may send OPTIONS, BYE, NOTIFY …): copies
 * Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2).
 */
export function responseTo(request: WireMessage, status: number, reason: string, toTag?: string): string {
  const vias = request.head
    .split("\r\n")
    .filter((line) => /^(via|v):/i.test(line))
    .join("\r\n");
  const to = header(request.head, "To");
  return (
    `SIP/2.0 ${status} ${reason}\r\n${vias}\r\n` +
    `From: ${header(request.head, "From")}\r\n` +
    `To: ${to}${toTag && !/;tag=/i.test(to) ? `;tag=${toTag}` : ""}\r\n` +
    `Call-ID: ${header(request.head, "Call-ID")}\r\n` +
    `CSeq: ${header(request.head, "CSeq")}\r\n` +
    "Content-Length: 0\r\n\r\n"
  );
}

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

/** MD5 digest with qop=auth (RFC 7616 §3.4.1) answering `challenge` (a WWW-Authenticate value). */
export function digestAuthorization(
  challenge: string,
  creds: { user: string; password: string; method: string; uri: string; nc: number; cnonce: string },
): string {
  const realm = param(challenge, "realm") ?? DOMAIN;
  const nonce = param(challenge, "nonce") ?? "";
  const opaque = param(challenge, "opaque");
  const ncHex = creds.nc.toString(16).padStart(8, "0");
  const ha1 = md5(`${creds.user}:${realm}:${creds.password}`);
  const ha2 = md5(`${creds.method}:${creds.uri}`);
  const response = md5(`${ha1}:${nonce}:${ncHex}:${creds.cnonce}:auth:${ha2}`);
  return (
    `Digest username="${creds.user}", realm="${realm}", nonce="${nonce}", uri="${creds.uri}", ` +
    `response="${response}", algorithm=MD5, qop=auth, nc=${ncHex}, cnonce="${creds.cnonce}"` +
    (opaque === undefined ? "" : `, opaque="${opaque}"`)
  );
}
