import type tls from "node:tls";
import { okText, type SipLite, SipScanner } from "./calls-sip.js";

/** Receives the messages of one Call-ID. */
export type MessageHandler = (message: SipLite) => void;

/**
 * The generator's single SIP/TLS connection (the PBX's registered trunk connection):
 * routes each message to the handler of its Call-ID, answers the emulator's own requests
 * with 200 (they are counted; none are expected), and batches the writes of one tick into
 * one TLS record with cork/uncork.
 */
export class CallConnection {
  readonly localPort: number;
  private readonly handlers = new Map<string, MessageHandler>();
  private readonly scanner = new SipScanner();
  private readonly messages: SipLite[] = [];
  private corked = false;
  private closing = false;
  /** Requests the emulator sent us (e.g. BYE), by method. */
  readonly serverRequests: Record<string, number> = {};
  /** Responses to no call we know (late retransmissions after the call ended). */
  strays = 0;
  /** Told once when the connection drops unasked. */
  onLost: () => void = () => {};

  constructor(private readonly socket: tls.TLSSocket) {
    this.localPort = socket.localPort ?? 0;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (!this.closing) this.onLost();
    });
  }

  get alive(): boolean {
    return !this.closing && !this.socket.destroyed;
  }

  on(callId: string, handler: MessageHandler): void {
    this.handlers.set(callId, handler);
  }

  off(callId: string): void {
    this.handlers.delete(callId);
  }

  write(text: string): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(text);
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.scanner.push(chunk, this.messages);
    for (const message of this.messages) {
      if (message.status === 0) {
        this.serverRequests[message.method] = (this.serverRequests[message.method] ?? 0) + 1;
        if (message.method !== "ACK") this.write(okText(message));
      }
      const handler = this.handlers.get(message.callId);
      if (handler) handler(message);
      else if (message.status !== 0) this.strays++;
    }
    this.messages.length = 0;
  }
}
