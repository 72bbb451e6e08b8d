import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { type SipMessage, type SipResponse, StreamFramer } from "../../src/sip/message/index.js";
import { Wakeups } from "./wakeups.js";

/**
 * A raw SIP client for integration tests: sends text exactly as written (so tests can send
 * broken messages too) and collects what the server answers, framed by our own framer.
 */
export class SipTestClient {
  readonly received: SipMessage[] = [];
  /** Bare CRLF keep-alive answers received. */
  pongs = 0;
  closed = false;
  private readonly framer = new StreamFramer({ maxMessageSize: 1 << 20, maxHeaders: 1000 });
  private readonly wakeups = new Wakeups();

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      // A lone CRLF is the server's keep-alive answer; a framer would hold it back as a
      // possible half of a CRLFCRLF ping, so count it here.
      if (chunk.length === 2 && chunk[0] === 13 && chunk[1] === 10) {
        this.pongs++;
        this.wakeups.wake();
        return;
      }
      for (const e of this.framer.push(chunk)) {
        if (e.type === "message") this.received.push(e.message);
      }
      this.wakeups.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wakeups.wake();
    });
    socket.on("error", () => {});
  }

  /** `localAddress` (e.g. 127.0.0.2) makes the connection come from another loopback source. */
  static connectTls(
    port: number,
    options: { ca?: string; host?: string; localAddress?: string } = {},
  ): Promise<SipTestClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: options.host ?? "127.0.0.1",
        port,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        servername: "phoneapp.unify.com",
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
      });
      socket.once("secureConnect", () => resolve(new SipTestClient(socket)));
      socket.once("error", reject);
    });
  }

  static connectTcp(port: number): Promise<SipTestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("connect", () => resolve(new SipTestClient(socket)));
      socket.once("error", reject);
    });
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Send a message and wait for the first final (≥ 200) response to it. */
  async request(text: string): Promise<SipResponse> {
    const callId = /\r\nCall-ID:\s*([^\r\n]+)/i.exec(text)?.[1]?.trim();
    const cseq = /\r\nCSeq:\s*([^\r\n]+)/i.exec(text)?.[1]?.trim();
    this.write(text);
    return this.waitFor(
      (m): m is SipResponse =>
        m.kind === "response" &&
        m.status >= 200 &&
        m.callId === callId &&
        `${m.cseq.seq} ${m.cseq.method}` === cseq,
    );
  }

  /** Wait until a received message satisfies `match` (consumes it). */
  async waitFor<T extends SipMessage>(match: (m: SipMessage) => m is T, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0] as T;
      if (this.closed) throw new Error("connection closed while waiting for a SIP message");
      if (Date.now() > deadline) throw new Error("timed out waiting for a SIP message");
      await this.wakeups.next(deadline - Date.now());
    }
  }

  /** Resolves once the server has closed the connection. */
  waitClosed(timeoutMs = 5000): Promise<void> {
    return this.wakeups.until(() => this.closed, timeoutMs, "connection still open");
  }

  waitPongs(count: number, timeoutMs = 5000): Promise<void> {
    return this.wakeups.until(() => this.pongs >= count, timeoutMs, "no keep-alive answer");
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface RegisterParams {
  user: string;
  localPort: number;
  callId?: string;
  cseq?: number;
  expires?: number | null;
  contact?: string;
  contactParams?: string;
  authorization?: string;
  extraHeaders?: string[];
  domain?: string;
}

/** A REGISTER as a PBX trunk sends it. */
export function registerText(p: RegisterParams): string {
  const domain = p.domain ?? "phoneapp.unify.com";
  const contact = p.contact ?? `<sip:${p.user}@127.0.0.1:${p.localPort};transport=tls>`;
  return [
    `REGISTER sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:${p.localPort};branch=z9hG4bK${randomBytes(8).toString("hex")};rport`,
    "Max-Forwards: 70",
    `From: <sip:${p.user}@${domain}>;tag=${randomBytes(4).toString("hex")}`,
    `To: <sip:${p.user}@${domain}>`,
    `Call-ID: ${p.callId ?? randomBytes(8).toString("hex")}`,
    `CSeq: ${p.cseq ?? 1} REGISTER`,
    ...(p.contact === "*" ? ["Contact: *"] : [`Contact: ${contact}${p.contactParams ?? ""}`]),
    ...(p.expires === null || p.expires === undefined ? [] : [`Expires: ${p.expires}`]),
    ...(p.authorization ? [`Authorization: ${p.authorization}`] : []),
    ...(p.extraHeaders ?? []),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** Parse a WWW-Authenticate challenge (test-side, independent of the server's code). */
export function parseChallenge(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.replace(/^Digest\s+/i, "").matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) {
    out[m[1]!.toLowerCase()] = m[2] ?? m[3]!;
  }
  return out;
}

/** The Authorization a correct client sends for a challenge (RFC 7616 §3.4, qop=auth). */
export function authorizationFor(options: {
  challenge: Record<string, string>;
  user: string;
  password: string;
  uri: string;
  nc?: number;
  method?: string;
}): string {
  const { challenge, user, password, uri } = options;
  const algorithm = challenge.algorithm ?? "MD5";
  const h = (s: string) =>
    createHash(algorithm === "SHA-256" ? "sha256" : "md5")
      .update(s)
      .digest("hex");
  const nc = (options.nc ?? 1).toString(16).padStart(8, "0");
  const cnonce = randomBytes(8).toString("hex");
  const ha1 = h(`${user}:${challenge.realm}:${password}`);
  const ha2 = h(`${options.method ?? "REGISTER"}:${uri}`);
  const response = h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}
