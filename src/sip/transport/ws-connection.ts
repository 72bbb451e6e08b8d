import { isUtf8 } from "node:buffer";
import type { Socket } from "node:net";
import type { Clock, TimerHandle } from "../../shared/clock.js";
import { parseMessage, type SipMessage, SipParseError, serialize } from "../message/index.js";
import type { SipConnection } from "./connection.js";
import { markReceived } from "./received.js";
import { answerError, unmapIPv4 } from "./stream-connection.js";
import type { TransportLimits } from "./transport-limits.js";
import { WsFrameParser } from "./ws-frame-parser.js";
import { closePayload, encodeFrame, WsCloseCode, WsOpcode } from "./ws-frames.js";

export interface WsConnectionEvents {
  onMessage(message: SipMessage, connection: SipConnection): void;
  onClose(connection: WsConnection, reason: string): void;
  onProtocolError(connection: WsConnection, error: SipParseError): void;
}

export interface WsKeepAlive {
  /** Timers for keep-alive, idle and partial-message limits (tests inject a frozen clock). */
  readonly clock: Clock;
  /** A ping is sent this often; a peer that sent nothing since the previous one is closed. */
  readonly pingIntervalMs: number;
}

/** RFC 5626 §3.5.1 double-CRLF keep-alive, answered with one CRLF, as sip.js expects over WS. */
const CRLF_ONLY = /^(\r\n)+$/;
const CRLF = Buffer.from("\r\n");

/**
 * A SIP connection over a WebSocket (RFC 7118): each data frame carries exactly one SIP
 * message (§5.1), so messages are parsed like datagrams and a malformed one is answered
 * 400 without losing the connection. WebSocket pings detect dead peers; a connection
 * that carries no SIP message or keep-alive for `idleTimeoutMs` is closed like a silent TLS one.
 */
export class WsConnection implements SipConnection {
  readonly reliable = true;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  private readonly parser: WsFrameParser;
  private readonly clock: Clock;
  private closed = false;
  private heardSincePing = true;
  private lastMessageAt: number;
  private pingTimer: TimerHandle;
  private idleTimer: TimerHandle;
  private partialTimer: TimerHandle | undefined;
  private closeReason = "closed by peer";

  constructor(
    readonly id: string,
    readonly protocol: "WS" | "WSS",
    private readonly socket: Socket,
    private readonly limits: TransportLimits,
    private readonly keepAlive: WsKeepAlive,
    private readonly events: WsConnectionEvents,
  ) {
    this.remoteAddress = unmapIPv4(socket.remoteAddress ?? "");
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = unmapIPv4(socket.localAddress ?? "");
    this.localPort = socket.localPort ?? 0;
    this.parser = new WsFrameParser(limits.maxMessageSize);
    this.clock = keepAlive.clock;
    this.lastMessageAt = this.clock.now();
    // The HTTP server's request timeouts no longer apply: this socket is ours now.
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => {
      this.closeReason = `socket error: ${err.message}`;
    });
    socket.on("close", () => this.markClosed());
    this.pingTimer = this.clock.setTimer(keepAlive.pingIntervalMs, () => this.onPingTimer());
    this.idleTimer = this.clock.setTimer(limits.idleTimeoutMs, () => this.onIdleTimer());
  }

  get open(): boolean {
    return !this.closed;
  }

  /** RFC 7118 §5.1: one message per frame; text when it is UTF-8 (always, for our SIP). */
  send(message: SipMessage): boolean {
    if (this.closed || this.socket.destroyed) return false;
    const bytes = serialize(message);
    this.socket.write(encodeFrame(isUtf8(bytes) ? WsOpcode.text : WsOpcode.binary, bytes));
    return true;
  }

  close(reason = "closed locally"): void {
    this.closeWith(reason === "shutdown" ? WsCloseCode.goingAway : WsCloseCode.normal, reason);
  }

  /** Start the closing handshake (RFC 6455 §7.1.2) and stop reading. */
  private closeWith(code: number, reason: string): void {
    if (this.closed) return;
    this.closeReason = reason;
    if (!this.socket.destroyed) this.socket.end(encodeFrame(WsOpcode.close, closePayload(code, reason)));
    // A peer that never reads must not keep the socket (and our memory) forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.markClosed();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    for (const event of this.parser.push(chunk)) {
      this.heardSincePing = true;
      switch (event.type) {
        case "message":
          this.onFrameMessage(event.data);
          break;
        case "ping":
          this.socket.write(encodeFrame(WsOpcode.pong, event.data));
          break;
        case "pong":
          break;
        case "close":
          // RFC 6455 §5.5.1: answer the peer's close, then the TCP connection may end.
          this.closeWith(WsCloseCode.normal, `closed by peer (${event.code})`);
          break;
        case "error":
          this.closeWith(event.code, `WebSocket protocol error: ${event.reason}`);
          break;
      }
      if (this.closed) return;
    }
    this.watchPartialMessage();
  }

  private onFrameMessage(data: Buffer): void {
    this.lastMessageAt = this.clock.now();
    if (CRLF_ONLY.test(data.toString("latin1"))) {
      if (data.length >= 4) this.socket.write(encodeFrame(WsOpcode.text, CRLF));
      return;
    }
    let message: SipMessage;
    try {
      message = parseMessage(data, { datagram: true, maxHeaders: this.limits.maxHeaders });
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      this.events.onProtocolError(this, err);
      if (err.partial?.kind === "request" && err.partial.method !== "ACK")
        answerError(this, err.partial, err);
      return;
    }
    // RFC 7118 §5: `received` carries the source IP (the Via host is a made-up name).
    if (message.kind === "request") markReceived(message, this);
    this.events.onMessage(message, this);
  }

  private onPingTimer(): void {
    if (this.closed) return;
    if (!this.heardSincePing) {
      this.closeWith(WsCloseCode.goingAway, "keep-alive timeout");
      return;
    }
    this.heardSincePing = false;
    this.socket.write(encodeFrame(WsOpcode.ping));
    this.pingTimer = this.clock.setTimer(this.keepAlive.pingIntervalMs, () => this.onPingTimer());
  }

  private onIdleTimer(): void {
    if (this.closed) return;
    const due = this.lastMessageAt + this.limits.idleTimeoutMs;
    if (due > this.clock.now()) {
      this.idleTimer = this.clock.setTimer(due - this.clock.now(), () => this.onIdleTimer());
      return;
    }
    this.closeWith(WsCloseCode.policyViolation, "idle timeout");
  }

  /** A frame or fragmented message that never completes is the WebSocket form of slowloris. */
  private watchPartialMessage(): void {
    if (this.parser.buffered === 0) {
      if (this.partialTimer) this.clock.clearTimer(this.partialTimer);
      this.partialTimer = undefined;
    } else if (!this.partialTimer) {
      this.partialTimer = this.clock.setTimer(this.limits.partialMessageTimeoutMs, () =>
        this.closeWith(WsCloseCode.policyViolation, "partial message timeout"),
      );
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimer(this.pingTimer);
    this.clock.clearTimer(this.idleTimer);
    if (this.partialTimer) this.clock.clearTimer(this.partialTimer);
    this.partialTimer = undefined;
    this.events.onClose(this, this.closeReason);
  }
}
