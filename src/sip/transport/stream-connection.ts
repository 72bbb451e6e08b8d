import type { Socket } from "node:net";
import { unmapIPv4 } from "../../shared/socket-peer.js";
import {
  createResponse,
  type FramerEvent,
  type SipMessage,
  type SipParseError,
  type SipRequest,
  StreamFramer,
  serialize,
} from "../message/index.js";
import type { SipConnection, TransportProtocol } from "./connection.js";
import { type ConnectionEvents, resetTcp } from "./connection-events.js";
import type { SipFaultHooks } from "./fault-hooks.js";
import type { ShortcutAnswer } from "./message-shortcut.js";
import { markReceived } from "./received.js";
import type { SipTrafficTapHolder } from "./traffic-tap.js";
import type { TransportLimits } from "./transport-limits.js";

export type StreamConnectionEvents = ConnectionEvents<StreamConnection>;

const CRLF = Buffer.from("\r\n");

/**
 * A SIP connection over a byte stream (TLS or TCP): frames messages with the
 * Content-Length rule (RFC 3261 §18.3), answers CRLFCRLF pings (RFC 5626 §4.4.1), and
 * closes on idle, on a message that never completes (slowloris) or on lost framing.
 */
export class StreamConnection implements SipConnection {
  readonly reliable = true;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  private readonly framer: StreamFramer;
  private partialTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private closeReason = "closed by peer";

  constructor(
    readonly id: string,
    readonly protocol: TransportProtocol,
    private readonly socket: Socket,
    private readonly limits: TransportLimits,
    private readonly events: StreamConnectionEvents,
    private readonly taps?: SipTrafficTapHolder,
    private readonly faults?: SipFaultHooks,
  ) {
    this.remoteAddress = unmapIPv4(socket.remoteAddress ?? "");
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = unmapIPv4(socket.localAddress ?? "");
    this.localPort = socket.localPort ?? 0;
    this.framer = new StreamFramer({ maxMessageSize: limits.maxMessageSize, maxHeaders: limits.maxHeaders });
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs, () => this.close("idle timeout"));
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    // Node reports some TLS errors (a renegotiation attack, say) without closing: close anyway.
    socket.on("error", (err) => {
      this.closeReason = `socket error: ${err.message}`;
      socket.destroy();
    });
    socket.on("close", () => this.onSocketClosed());
    taps?.tap?.opened?.(this);
  }

  get open(): boolean {
    return !this.closed;
  }

  send(message: SipMessage): boolean {
    if (this.closed || this.socket.destroyed) return false;
    if (this.faults) this.faults.outgoing(message, this, (bytes, sent) => this.write(bytes, sent));
    else this.write(serialize(message), message);
    return true;
  }

  /** Abort with a TCP RST (fault injection): the peer sees ECONNRESET, not a close. */
  reset(reason = "reset locally"): void {
    if (this.closed) return;
    this.closeReason = reason;
    resetTcp(this.socket);
    this.markClosed();
  }

  close(reason = "closed locally"): void {
    if (this.closed) return;
    this.closeReason = reason;
    this.socket.end();
    // A peer that never reads must not keep the socket (and our memory) forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.markClosed();
  }

  /** Bytes on the wire (and the message they are, for the taps); a write a fault delayed past the close is dropped. */
  private write(bytes: Buffer, message?: SipMessage): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(bytes);
    this.taps?.tap?.sent(bytes, this, message);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    // Answers to a batch of pipelined messages leave as one TLS record and one write.
    this.socket.cork();
    try {
      if (this.taps?.shortcut === undefined) this.handle(this.framer.push(chunk));
      else this.offerToShortcut(chunk);
    } finally {
      this.socket.uncork();
    }
    if (!this.closed) this.watchPartialMessage();
  }

  /**
   * The shortcut answers what it can at each message boundary; each message it declines, and
   * one a chunk cut before, goes to the framer alone, so the shortcut is asked again right
   * after it (a cut message does not send the rest of the stream through the layers).
   */
  private offerToShortcut(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.closed) {
      at += this.takeShortcuts(chunk, at);
      if (at >= chunk.length || this.closed) return;
      const { events, used } = this.framer.pushUntilMessage(chunk, at);
      this.handle(events);
      // The framer always takes a byte at least; should it not, it gets the rest at once.
      if (used <= 0) this.handle(this.framer.push(chunk.subarray(at)));
      at = used <= 0 ? chunk.length : at + used;
    }
  }

  /**
   * The messages from `chunk[from]` on the shortcut answers from their bytes (nothing may be
   * buffered before them); returns how many bytes it took. It stops at the first it declines.
   */
  private takeShortcuts(chunk: Buffer, from: number): number {
    const shortcut = this.taps?.shortcut;
    if (shortcut === undefined || this.framer.buffered > 0) return 0;
    let at = from;
    while (at < chunk.length && !this.closed) {
      let answer: ShortcutAnswer | undefined;
      try {
        answer = shortcut.take(chunk, at, this);
      } catch {
        // A peer's bytes must never take the process down; the layers answer the message.
        answer = undefined;
      }
      if (answer === undefined) break;
      this.taps?.tap?.received(chunk.subarray(at, at + answer.length), this);
      this.write(answer.response);
      at += answer.length;
    }
    return at - from;
  }

  private handle(events: readonly FramerEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case "message": {
          // The framed bytes themselves (taps read them synchronously): no re-serialising.
          this.taps?.tap?.received(event.wire, this, event.message);
          this.taps?.shortcut?.handing(event.wire, event.message);
          if (event.message.kind === "request") markReceived(event.message, this);
          this.events.onMessage(event.message, this);
          break;
        }
        case "ping":
          this.socket.write(CRLF);
          break;
        case "pong":
          break;
        case "error":
          this.onParseError(event.error, event.fatal);
          break;
      }
      if (this.closed) return;
    }
  }

  private onParseError(error: SipParseError, fatal: boolean): void {
    this.events.onProtocolError(this, error);
    const partial = error.partial;
    if (partial?.kind === "request" && partial.method !== "ACK") {
      answerError(this, partial, error);
    }
    if (fatal) this.close(`protocol error: ${error.reason}`);
  }

  /** RFC 5626 says nothing of slowloris; we bound how long one message may take to arrive. */
  private watchPartialMessage(): void {
    if (this.framer.buffered === 0) {
      if (this.partialTimer) clearTimeout(this.partialTimer);
      this.partialTimer = undefined;
    } else if (!this.partialTimer) {
      this.partialTimer = setTimeout(
        () => this.close("partial message timeout"),
        this.limits.partialMessageTimeoutMs,
      );
      this.partialTimer.unref();
    }
  }

  private onSocketClosed(): void {
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed && this.partialTimer === undefined && this.socket.destroyed) return;
    const first = !this.closed;
    this.closed = true;
    if (this.partialTimer) clearTimeout(this.partialTimer);
    this.partialTimer = undefined;
    if (!first) return;
    this.taps?.tap?.closed?.(this, this.closeReason);
    this.events.onClose(this, this.closeReason);
  }
}

/** Answer a request we could not accept; never throws (the request may be half-broken). */
export function answerError(connection: SipConnection, request: SipRequest, error: SipParseError): void {
  try {
    connection.send(createResponse(request, error.status, error.reason));
  } catch {
    // Not even Via/From/To/Call-ID/CSeq were usable: nothing can be addressed.
  }
}
