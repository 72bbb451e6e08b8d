import { isUtf8 } from "node:buffer";
import type { Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import type { Clock, TimerHandle } from "../../shared/clock.js";
import { unmapIPv4 } from "../../shared/socket-peer.js";
import { parseMessage, type SipMessage, SipParseError, serialize } from "../message/index.js";
import type { SipConnection } from "./connection.js";
import { type ConnectionEvents, resetTcp } from "./connection-events.js";
import type { SipFaultHooks } from "./fault-hooks.js";
import { markReceived } from "./received.js";
import { answerError } from "./stream-connection.js";
import type { SipTrafficTapHolder } from "./traffic-tap.js";
import type { TransportLimits } from "./transport-limits.js";

export type WsConnectionEvents = ConnectionEvents<WsConnection>;

export interface WsConnectionOptions {
  readonly limits: TransportLimits;
  /** Timers for the keep-alive and idle limits (tests inject a frozen clock). */
  readonly clock: Clock;
  /** A ping is sent this often; a peer that sent nothing since the previous one is closed. */
  readonly pingIntervalMs: number;
  readonly taps?: SipTrafficTapHolder;
  readonly faults?: SipFaultHooks;
}

/** RFC 6455 §7.4.1 status codes this transport closes with. */
const NORMAL = 1000;
const GOING_AWAY = 1001;
const POLICY_VIOLATION = 1008;
/** A close reason must fit a control frame with its code (RFC 6455 §5.5). */
const MAX_CLOSE_REASON = 123;
/** RFC 5626 §3.5.1 double-CRLF keep-alive, answered with one CRLF, as sip.js expects over WS. */
const CRLF_ONLY = /^(\r\n)+$/;

/**
 * A SIP connection over a WebSocket (RFC 7118), framed by `ws`: each data frame carries
 * exactly one SIP message (§5.1), so messages are parsed like datagrams and a malformed
 * one is answered 400 without losing the connection. WebSocket pings detect dead peers
 * (including one stuck in the middle of a frame: it cannot answer); a connection carrying
 * no SIP message or keep-alive for `idleTimeoutMs` is closed like a silent TLS one.
 */
export class WsConnection implements SipConnection {
  readonly reliable = true;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  private readonly clock: Clock;
  private closed = false;
  private heardSincePing = true;
  private lastMessageAt: number;
  private pingTimer: TimerHandle;
  private idleTimer: TimerHandle;
  private closeReason = "closed by peer";

  constructor(
    readonly id: string,
    readonly protocol: "WS" | "WSS",
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly options: WsConnectionOptions,
    private readonly events: WsConnectionEvents,
  ) {
    this.remoteAddress = unmapIPv4(socket.remoteAddress ?? "");
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = unmapIPv4(socket.localAddress ?? "");
    this.localPort = socket.localPort ?? 0;
    this.clock = options.clock;
    this.lastMessageAt = this.clock.now();
    // The HTTP server's request timeouts no longer apply: this socket is ours now.
    socket.setTimeout(0);
    socket.setNoDelay(true);
    ws.on("message", (data, isBinary) => this.onFrameMessage(toBuffer(data), isBinary));
    ws.on("pong", () => {
      this.heardSincePing = true;
    });
    ws.on("ping", () => {
      this.heardSincePing = true;
    });
    // `ws` has already answered a protocol violation with the right close code.
    ws.on("error", (err) => {
      this.closeReason = `WebSocket protocol error: ${err.message}`;
    });
    ws.on("close", (code) => {
      if (this.closeReason === "closed by peer") this.closeReason = `closed by peer (${code})`;
      this.markClosed();
    });
    this.pingTimer = this.clock.setTimer(options.pingIntervalMs, () => this.onPingTimer());
    this.idleTimer = this.clock.setTimer(options.limits.idleTimeoutMs, () => this.onIdleTimer());
    options.taps?.tap?.opened?.(this);
  }

  get open(): boolean {
    return !this.closed;
  }

  /** RFC 7118 §5.1: one message per frame; text when it is UTF-8 (always, for our SIP). */
  send(message: SipMessage): boolean {
    if (this.closed) return false;
    const faults = this.options.faults;
    if (faults) faults.outgoing(message, this, (bytes, sent) => this.write(bytes, sent));
    else this.write(serialize(message), message);
    return true;
  }

  close(reason = "closed locally"): void {
    this.closeWith(reason === "shutdown" ? GOING_AWAY : NORMAL, reason);
  }

  /** Abort with a TCP RST (fault injection): the peer sees ECONNRESET, not a close. */
  reset(reason = "reset locally"): void {
    if (this.closed) return;
    this.closeReason = reason;
    resetTcp(this.socket);
    this.markClosed();
  }

  /** Start the closing handshake (RFC 6455 §7.1.2); the socket goes within 2 s whatever the peer does. */
  private closeWith(code: number, reason: string): void {
    if (this.closed) return;
    this.closeReason = reason;
    this.ws.close(code, reason.slice(0, MAX_CLOSE_REASON));
    setTimeout(() => this.ws.terminate(), 2000).unref();
    this.markClosed();
  }

  /** Bytes on the wire (and the message they are, for the taps); a write a fault delayed past the close is dropped. */
  private write(bytes: Buffer, message?: SipMessage): void {
    if (this.closed) return;
    this.ws.send(bytes, { binary: !isUtf8(bytes) });
    this.options.taps?.tap?.sent(bytes, this, message);
  }

  private onFrameMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.heardSincePing = true;
    this.lastMessageAt = this.clock.now();
    if (CRLF_ONLY.test(data.toString("latin1"))) {
      if (data.length >= 4) this.ws.send("\r\n", { binary: isBinary });
      return;
    }
    let message: SipMessage;
    try {
      message = parseMessage(data, { datagram: true, maxHeaders: this.options.limits.maxHeaders });
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      this.options.taps?.tap?.received(data, this);
      this.events.onProtocolError(this, err);
      if (err.partial?.kind === "request" && err.partial.method !== "ACK")
        answerError(this, err.partial, err);
      return;
    }
    this.options.taps?.tap?.received(data, this, message);
    // RFC 7118 §5: `received` carries the source IP (the Via host is a made-up name).
    if (message.kind === "request") markReceived(message, this);
    this.events.onMessage(message, this);
  }

  private onPingTimer(): void {
    if (this.closed) return;
    if (!this.heardSincePing) {
      this.closeWith(GOING_AWAY, "keep-alive timeout");
      return;
    }
    this.heardSincePing = false;
    this.ws.ping();
    this.pingTimer = this.clock.setTimer(this.options.pingIntervalMs, () => this.onPingTimer());
  }

  private onIdleTimer(): void {
    if (this.closed) return;
    const due = this.lastMessageAt + this.options.limits.idleTimeoutMs;
    if (due > this.clock.now()) {
      this.idleTimer = this.clock.setTimer(due - this.clock.now(), () => this.onIdleTimer());
      return;
    }
    this.closeWith(POLICY_VIOLATION, "idle timeout");
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimer(this.pingTimer);
    this.clock.clearTimer(this.idleTimer);
    this.options.taps?.tap?.closed?.(this, this.closeReason);
    this.events.onClose(this, this.closeReason);
  }
}

/** `ws` hands a message as one Buffer unless binaryType was changed; be safe anyway. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
