import { BENCH_DOMAIN } from "./bench-trunks.js";

/** What the generator needs of a response; everything else is skipped unparsed. */
export interface ResponseLite {
  readonly status: number;
  readonly callId: string;
  readonly cseq: number;
  /** The nonce of a WWW-Authenticate challenge, when there is one. */
  readonly nonce: string | undefined;
}

export interface RegisterFields {
  readonly user: string;
  /** Local port of the connection, used in Via and Contact as a PBX would. */
  readonly port: number;
  readonly branch: string;
  readonly tag: string;
  readonly callId: string;
  readonly cseq: number;
  readonly authorization?: string;
}

export const REGISTER_URI = `sip:${BENCH_DOMAIN}`;

/** A REGISTER as an OpenScape Business trunk sends it, from a plain string template. */
export function registerText(f: RegisterFields): string {
  return (
    `REGISTER ${REGISTER_URI} SIP/2.0\r\n` +
    `Via: SIP/2.0/TLS 127.0.0.1:${f.port};branch=z9hG4bK${f.branch};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    `From: <sip:${f.user}@${BENCH_DOMAIN}>;tag=${f.tag}\r\n` +
    `To: <sip:${f.user}@${BENCH_DOMAIN}>\r\n` +
    `Call-ID: ${f.callId}\r\n` +
    `CSeq: ${f.cseq} REGISTER\r\n` +
    `Contact: <sip:${f.user}@127.0.0.1:${f.port};transport=tls>\r\n` +
    "Expires: 600\r\n" +
    (f.authorization === undefined ? "" : `Authorization: ${f.authorization}\r\n`) +
    "User-Agent: OpenScape Business V3R3 (bench)\r\n" +
    "Content-Length: 0\r\n\r\n"
  );
}

/** Value of the header line starting with `prefix` (e.g. "\r\nCall-ID: "), as the server echoes it. */
function headerValue(head: string, prefix: string): string {
  const start = head.indexOf(prefix);
  if (start < 0) return "";
  const from = start + prefix.length;
  const end = head.indexOf("\r\n", from);
  return head.slice(from, end < 0 ? head.length : end);
}

/**
 * Cuts a TLS byte stream into responses by Content-Length (RFC 3261 §18.3) and reads the
 * status line, Call-ID, CSeq number and a challenge nonce. The server copies Call-ID and
 * CSeq with the names we sent, so plain `indexOf` is enough.
 */
export class ResponseScanner {
  private buffered = "";

  push(chunk: Buffer, out: ResponseLite[]): void {
    this.buffered += chunk.toString("latin1");
    let pos = 0;
    for (;;) {
      // Bare CRLFs are keep-alive answers between messages.
      while (this.buffered.startsWith("\r\n", pos)) pos += 2;
      const end = this.buffered.indexOf("\r\n\r\n", pos);
      if (end < 0) break;
      const head = this.buffered.slice(pos, end);
      const length = Number.parseInt(headerValue(head, "\r\nContent-Length: "), 10) || 0;
      if (end + 4 + length > this.buffered.length) break;
      pos = end + 4 + length;
      const nonceAt = head.indexOf('nonce="');
      out.push({
        status: Number.parseInt(head.slice(8, 11), 10),
        callId: headerValue(head, "\r\nCall-ID: "),
        cseq: Number.parseInt(headerValue(head, "\r\nCSeq: "), 10),
        nonce: nonceAt < 0 ? undefined : head.slice(nonceAt + 7, head.indexOf('"', nonceAt + 7)),
      });
    }
    this.buffered = pos === this.buffered.length ? "" : this.buffered.slice(pos);
  }
}
