import type { SipMessage } from "../../src/sip/message/index.js";
import type { SipConnection, TransportProtocol } from "../../src/sip/transport/connection.js";

let nextId = 1;

/** A SipConnection that records what is sent through it; `failSends` makes send() return false. */
export class FakeConnection implements SipConnection {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly reliable: boolean;
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort = 5070;
  readonly localAddress = "127.0.0.1";
  readonly localPort = 65061;
  readonly sent: SipMessage[] = [];
  failSends = false;
  open = true;
  closeReason: string | undefined;

  constructor(options: { reliable: boolean; protocol?: TransportProtocol }) {
    this.reliable = options.reliable;
    this.protocol = options.protocol ?? (options.reliable ? "TLS" : "UDP");
    this.id = `fake${nextId++}`;
  }

  send(message: SipMessage): boolean {
    if (!this.open || this.failSends) return false;
    this.sent.push(message);
    return true;
  }

  close(reason?: string): void {
    this.open = false;
    this.closeReason = reason;
  }

  /** The last message sent. */
  get last(): SipMessage | undefined {
    return this.sent[this.sent.length - 1];
  }

  /** Forget what was sent so far. */
  clear(): void {
    this.sent.length = 0;
  }
}
