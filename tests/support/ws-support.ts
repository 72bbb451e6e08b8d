import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { type CertificateSet, ensureCertificates } from "../../src/certs/index.js";
import { type Clock, SystemClock } from "../../src/shared/clock.js";
import { createLogger } from "../../src/shared/logger.js";
import { SipRouter, SipStack } from "../../src/sip/core/index.js";
import { parseMessage, type SipMessage, type SipResponse } from "../../src/sip/message/index.js";
import type { SipConnection, TransportEvent, TransportLimits } from "../../src/sip/transport/index.js";
import { WsListener } from "../../src/sip/transport/ws-listener.js";
import { Wakeups } from "./wakeups.js";

let certs: Promise<CertificateSet> | undefined;

/** One CA + server certificate per test file (generated on first use). */
export function testCertificates(): Promise<CertificateSet> {
  certs ??= ensureCertificates({
    dir: mkdtempSync(path.join(tmpdir(), "upe-ws-certs-")),
    hosts: ["phoneapp.unify.com", "localhost", "127.0.0.1"],
  });
  return certs;
}

export const TEST_LIMITS: TransportLimits = {
  maxMessageSize: 65_536,
  maxHeaders: 128,
  maxConnectionsPerSource: 256,
  maxConnections: 50_000,
  idleTimeoutMs: 3_700_000,
  partialMessageTimeoutMs: 10_000,
};

export interface WsStack {
  readonly port: number;
  readonly ca: string;
  readonly router: SipRouter;
  readonly stack: SipStack;
  readonly listener: WsListener;
  readonly events: TransportEvent[];
  readonly closed: Array<{ connection: SipConnection; reason: string }>;
  /** Every response that arrived (what a UA answered to requests the test sent it). */
  readonly responses: SipResponse[];
  close(): Promise<void>;
}

/**
 * The SIP stack behind a plain `https.createServer` on 127.0.0.1:0 with a WsListener on
 * /ws, built the way the emulator wires it; `setup` registers handlers on the router.
 */
export async function startWsStack(
  options: {
    limits?: Partial<TransportLimits>;
    clock?: Clock;
    pingIntervalMs?: number;
    /** The WebSocket endpoint's own connection cap (the emulator's HTTPS share). */
    maxConnections?: number;
    setup?: (router: SipRouter, stack: SipStack) => void;
  } = {},
): Promise<WsStack> {
  const set = await testCertificates();
  const limits = { ...TEST_LIMITS, ...options.limits };
  const log = createLogger("silent");
  const router = new SipRouter(log);
  const responses: SipResponse[] = [];
  const stack = new SipStack(limits, options.clock ?? new SystemClock(), router, log);
  const events: TransportEvent[] = [];
  const closed: Array<{ connection: SipConnection; reason: string }> = [];
  const user = {
    onMessage: (m: SipMessage, c: SipConnection) => {
      if (m.kind === "response") responses.push(m);
      stack.onMessage(m, c);
    },
    onConnectionClosed: (c: SipConnection, reason: string) => {
      closed.push({ connection: c, reason });
      stack.onConnectionClosed(c, reason);
    },
    onTransportEvent: (e: TransportEvent) => events.push(e),
  };
  options.setup?.(router, stack);
  const server = https.createServer({ key: set.keyPem, cert: set.certPem });
  const listener = new WsListener(stack.transport.connections, limits, user, {
    // The transport layer's tap, as listenWs wires it: set `stack.transport.tap` to see traffic.
    taps: stack.transport,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
  });
  listener.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    ca: set.caCertPem,
    router,
    stack,
    listener,
    events,
    closed,
    responses,
    close: async () => {
      listener.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      stack.transactions.close();
    },
  };
}

export type ServerFrame =
  | { type: "text" | "binary"; data: Buffer }
  | { type: "ping" | "pong"; data: Buffer }
  | { type: "close"; code: number; reason: string };

/**
 * A WebSocket client written for tests: raw handshake (any headers, any subprotocol),
 * hand-built frames (masked or not, fragmented, oversize) and a log of what the server sent.
 */
export class RawWsClient {
  readonly frames: ServerFrame[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private readonly wakeups = new Wakeups();

  private constructor(
    readonly socket: tls.TLSSocket,
    /** The Sec-WebSocket-Key this client sent. */
    readonly key: string,
    readonly status: number,
    readonly headers: Record<string, string>,
  ) {}

  static async connect(
    port: number,
    ca: string,
    options: { protocol?: string | null; path?: string; version?: string } = {},
  ): Promise<RawWsClient> {
    const socket = tls.connect({ host: "127.0.0.1", port, ca, servername: "localhost" });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    socket.on("error", () => {});
    const protocol = options.protocol === undefined ? "sip" : options.protocol;
    const key = randomBytes(16).toString("base64");
    const lines = [
      `GET ${options.path ?? "/ws"} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      `Sec-WebSocket-Version: ${options.version ?? "13"}`,
      ...(protocol === null ? [] : [`Sec-WebSocket-Protocol: ${protocol}`]),
      "",
      "",
    ];
    socket.write(lines.join("\r\n"));
    let head = Buffer.alloc(0);
    const [status, headers, rest] = await new Promise<[number, Record<string, string>, Buffer]>(
      (resolve, reject) => {
        const onData = (chunk: Buffer) => {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return;
          socket.off("data", onData);
          const [statusLine, ...headerLines] = head.subarray(0, end).toString("latin1").split("\r\n");
          const fields: Record<string, string> = {};
          for (const line of headerLines) {
            const colon = line.indexOf(":");
            fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
          resolve([Number(statusLine!.split(" ")[1]), fields, head.subarray(end + 4)]);
        };
        socket.on("data", onData);
        socket.once("close", () => reject(new Error("closed during the handshake")));
      },
    );
    const client = new RawWsClient(socket, key, status, headers);
    socket.on("data", (chunk: Buffer) => client.onData(chunk));
    socket.on("close", () => {
      client.closed = true;
      client.wakeups.wake();
    });
    if (rest.length > 0) client.onData(rest);
    return client;
  }

  /** The body of a refused handshake (read until the server closes). */
  async body(): Promise<string> {
    await this.waitClosed();
    return this.buffer.toString("utf8");
  }

  sendText(text: string, options: { masked?: boolean; fin?: boolean; opcode?: number } = {}): void {
    this.sendFrame(options.opcode ?? 0x1, Buffer.from(text, "utf8"), options);
  }

  sendFrame(opcode: number, payload: Buffer, options: { masked?: boolean; fin?: boolean } = {}): void {
    this.socket.write(clientFrame(opcode, payload, options.masked ?? true, options.fin ?? true));
  }

  /** Send a SIP message in one text frame and wait for the final response with its Call-ID and CSeq. */
  async request(text: string): Promise<SipResponse> {
    const callId = /\r\nCall-ID:\s*([^\r\n]+)/i.exec(text)?.[1]?.trim();
    const cseq = /\r\nCSeq:\s*([^\r\n]+)/i.exec(text)?.[1]?.trim();
    this.sendText(text);
    for (;;) {
      const frame = await this.nextFrame((f) => f.type === "text" || f.type === "binary");
      const message = parseMessage((frame as { data: Buffer }).data, { datagram: true });
      if (
        message.kind === "response" &&
        message.status >= 200 &&
        message.callId === callId &&
        `${message.cseq.seq} ${message.cseq.method}` === cseq
      )
        return message;
    }
  }

  /** Wait for (and consume) the first frame matching `match`. */
  async nextFrame(match: (f: ServerFrame) => boolean = () => true, timeoutMs = 5000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.closed) throw new Error("connection closed while waiting for a frame");
      if (Date.now() > deadline) throw new Error("timed out waiting for a frame");
      await this.wakeups.next(deadline - Date.now());
    }
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    return this.wakeups.until(() => this.closed, timeoutMs, "connection still open");
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.status !== 101) return;
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) break;
      const data = Buffer.from(b.subarray(offset, offset + length));
      this.buffer = b.subarray(offset + length);
      const opcode = b[0]! & 0x0f;
      if (opcode === 0x1) this.frames.push({ type: "text", data });
      else if (opcode === 0x2) this.frames.push({ type: "binary", data });
      else if (opcode === 0x9) this.frames.push({ type: "ping", data });
      else if (opcode === 0xa) this.frames.push({ type: "pong", data });
      else if (opcode === 0x8)
        this.frames.push({
          type: "close",
          code: data.length >= 2 ? data.readUInt16BE(0) : 1005,
          reason: data.subarray(2).toString("utf8"),
        });
    }
    this.wakeups.wake();
  }
}

/** A client frame (RFC 6455 §5.2), masked with a random key unless told otherwise. */
export function clientFrame(opcode: number, payload: Buffer, masked = true, fin = true): Buffer {
  const length = payload.length;
  const extra = length < 126 ? 0 : length <= 0xffff ? 2 : 8;
  const header = Buffer.alloc(2 + extra);
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = (masked ? 0x80 : 0) | (extra === 0 ? length : extra === 2 ? 126 : 127);
  if (extra === 2) header.writeUInt16BE(length, 2);
  if (extra === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i & 3]!));
  return Buffer.concat([header, mask, body]);
}

/** The Sec-WebSocket-Accept a server must answer for `key` (RFC 6455 §4.2.2). */
export function expectedAccept(key: string): string {
  return createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
}

/** An OPTIONS as a sip.js client sends it over WSS (Via host is an invented .invalid name). */
export function optionsText(callId = `opt-${Math.random()}`, extra: string[] = []): string {
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK${randomBytes(6).toString("hex")}`,
    "Max-Forwards: 70",
    "To: <sip:phoneapp.unify.com>",
    `From: <sip:us_test@phoneapp.unify.com>;tag=${randomBytes(4).toString("hex")}`,
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}
