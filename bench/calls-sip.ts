import { BENCH_DOMAIN } from "./bench-trunks.js";

/** What the generator reads of a SIP message; headers are looked up in `head` when needed. */
export interface SipLite {
  /** 0 for a request. */
  readonly status: number;
  /** The request's method, or the CSeq method of a response. */
  readonly method: string;
  readonly callId: string;
  readonly cseq: number;
  /** Start line and header lines, without the blank line. */
  readonly head: string;
  readonly body: string;
}

/** Value of the first `name` header line; the emulator writes canonical names (Call-ID, CSeq, To…). */
export function header(head: string, name: string): string {
  const prefix = `\r\n${name}: `;
  const start = head.indexOf(prefix);
  if (start < 0) return "";
  const from = start + prefix.length;
  const end = head.indexOf("\r\n", from);
  return head.slice(from, end < 0 ? head.length : end);
}

/** Every `name` header line's value, in order. */
export function headers(head: string, name: string): string[] {
  const prefix = `\r\n${name}: `;
  const values: string[] = [];
  for (let at = head.indexOf(prefix); at >= 0; at = head.indexOf(prefix, at + 1)) {
    const from = at + prefix.length;
    const end = head.indexOf("\r\n", from);
    values.push(head.slice(from, end < 0 ? head.length : end));
  }
  return values;
}

/** The URI inside <…> of a name-addr, or the value up to its parameters. */
export function uriOf(nameAddr: string): string {
  const open = nameAddr.indexOf("<");
  if (open >= 0) return nameAddr.slice(open + 1, nameAddr.indexOf(">", open));
  const semi = nameAddr.indexOf(";");
  return semi < 0 ? nameAddr.trim() : nameAddr.slice(0, semi).trim();
}

/**
 * Cuts a TLS byte stream into messages by Content-Length (RFC 3261 §18.3), reading the
 * start line, Call-ID and CSeq of each.
 */
export class SipScanner {
  private buffered = "";

  push(chunk: Buffer, out: SipLite[]): void {
    this.buffered += chunk.toString("latin1");
    let pos = 0;
    for (;;) {
      // Bare CRLFs are keep-alives between messages.
      while (this.buffered.startsWith("\r\n", pos)) pos += 2;
      const end = this.buffered.indexOf("\r\n\r\n", pos);
      if (end < 0) break;
      const head = this.buffered.slice(pos, end + 2);
      const length = Number.parseInt(header(head, "Content-Length"), 10) || 0;
      if (end + 4 + length > this.buffered.length) break;
      const body = length > 0 ? this.buffered.slice(end + 4, end + 4 + length) : "";
      pos = end + 4 + length;
      const cseq = header(head, "CSeq");
      const space = cseq.indexOf(" ");
      const isResponse = head.startsWith("SIP/2.0 ");
      out.push({
        status: isResponse ? Number.parseInt(head.slice(8, 11), 10) : 0,
        method: isResponse ? cseq.slice(space + 1) : head.slice(0, head.indexOf(" ")),
        callId: header(head, "Call-ID"),
        cseq: Number.parseInt(cseq, 10),
        head,
        body,
      });
    }
    this.buffered = pos === this.buffered.length ? "" : this.buffered.slice(pos);
  }
}

/** Fields of a call the PBX side places. */
export interface InviteFields {
  readonly trunkUser: string;
  /** Local port of the TLS connection (Via, Contact). */
  readonly port: number;
  readonly to: string;
  readonly callId: string;
  readonly fromTag: string;
  readonly branch: string;
  /** Where we receive RTP (SDP m= port). */
  readonly rtpPort: number;
  /** SDP o= session id (numeric, RFC 4566 §5.2). */
  readonly sessionId: number;
}

/** An SDP offer of PCMU only (RFC 3264 §5), as a PBX would make it. */
export function pcmuOffer(rtpPort: number, sessionId: number): string {
  return (
    "v=0\r\n" +
    `o=osbiz ${sessionId} 1 IN IP4 127.0.0.1\r\n` +
    "s=-\r\n" +
    "c=IN IP4 127.0.0.1\r\n" +
    "t=0 0\r\n" +
    `m=audio ${rtpPort} RTP/AVP 0\r\n` +
    "a=rtpmap:0 PCMU/8000\r\n" +
    "a=ptime:20\r\n" +
    "a=sendrecv\r\n"
  );
}

export function inviteText(f: InviteFields): string {
  const sdp = pcmuOffer(f.rtpPort, f.sessionId);
  return (
    `INVITE sip:${f.to}@${BENCH_DOMAIN} SIP/2.0\r\n` +
    `Via: SIP/2.0/TLS 127.0.0.1:${f.port};branch=z9hG4bK${f.branch};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    `From: <sip:${f.trunkUser}@${BENCH_DOMAIN}>;tag=${f.fromTag}\r\n` +
    `To: <sip:${f.to}@${BENCH_DOMAIN}>\r\n` +
    `Call-ID: ${f.callId}\r\n` +
    "CSeq: 1 INVITE\r\n" +
    `Contact: <sip:${f.trunkUser}@127.0.0.1:${f.port};transport=tls>\r\n` +
    "Content-Type: application/sdp\r\n" +
    `Content-Length: ${sdp.length}\r\n\r\n${sdp}`
  );
}

/** The dialog a 2xx to our INVITE created (RFC 3261 §12.1.2), as far as ACK and BYE need it. */
export interface DialogLite {
  readonly callId: string;
  readonly from: string;
  /** The To header of the 2xx, with the remote tag. */
  readonly to: string;
  /** Contact of the 2xx. */
  readonly target: string;
  /** Record-Route of the 2xx in reverse order, as Route lines. */
  readonly routes: string;
}

export function dialogOf(ok: SipLite): DialogLite {
  const recordRoutes = headers(ok.head, "Record-Route").reverse();
  return {
    callId: ok.callId,
    from: header(ok.head, "From"),
    to: header(ok.head, "To"),
    target: uriOf(header(ok.head, "Contact")) || `sip:${BENCH_DOMAIN}`,
    routes: recordRoutes.map((r) => `Route: ${r}\r\n`).join(""),
  };
}

/** An in-dialog request without body (ACK of the 2xx: CSeq of the INVITE; BYE: the next one). */
export function inDialogText(
  method: "ACK" | "BYE",
  d: DialogLite,
  cseq: number,
  port: number,
  branch: string,
) {
  return (
    `${method} ${d.target} SIP/2.0\r\n` +
    `Via: SIP/2.0/TLS 127.0.0.1:${port};branch=z9hG4bK${branch};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    d.routes +
    `From: ${d.from}\r\n` +
    `To: ${d.to}\r\n` +
    `Call-ID: ${d.callId}\r\n` +
    `CSeq: ${cseq} ${method}\r\n` +
    "Content-Length: 0\r\n\r\n"
  );
}

/** ACK of a non-2xx final response: same branch and From/Call-ID, the response's To (RFC 3261 §17.1.1.3). */
export function nonSuccessAckText(invite: InviteFields, response: SipLite): string {
  return (
    `ACK sip:${invite.to}@${BENCH_DOMAIN} SIP/2.0\r\n` +
    `Via: SIP/2.0/TLS 127.0.0.1:${invite.port};branch=z9hG4bK${invite.branch};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    `From: <sip:${invite.trunkUser}@${BENCH_DOMAIN}>;tag=${invite.fromTag}\r\n` +
    `To: ${header(response.head, "To")}\r\n` +
    `Call-ID: ${invite.callId}\r\n` +
    "CSeq: 1 ACK\r\n" +
    "Content-Length: 0\r\n\r\n"
  );
}

/** 200 OK to a request the emulator sent us (e.g. a BYE). */
export function okText(request: SipLite): string {
  const vias = headers(request.head, "Via")
    .map((v) => `Via: ${v}\r\n`)
    .join("");
  const to = header(request.head, "To");
  return (
    "SIP/2.0 200 OK\r\n" +
    vias +
    `From: ${header(request.head, "From")}\r\n` +
    `To: ${to.includes(";tag=") ? to : `${to};tag=bench`}\r\n` +
    `Call-ID: ${request.callId}\r\n` +
    `CSeq: ${request.cseq} ${request.method}\r\n` +
    "Content-Length: 0\r\n\r\n"
  );
}

/** The m=audio port of an SDP body; 0 when there is none. */
export function audioPort(sdp: string): number {
  const m = /^m=audio (\d+)/m.exec(sdp);
  return m ? Number(m[1]) : 0;
}
