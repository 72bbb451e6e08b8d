import type { EmulatorPorts } from "../lib/emulator-process.js";

export const TRANSPORTS = ["tls", "udp", "ws", "stun"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** One message as it went out: enough to replay it. */
export interface SentMessage {
  readonly transport: TransportName;
  /** Worker that sent it and the connection number within that worker (stream transports). */
  readonly worker: number;
  readonly connection: number;
  readonly bytes: Buffer;
  readonly steps: readonly string[];
  /** Date.now() when it was sent. */
  readonly at: number;
}

export type Counters = Record<TransportName, number>;

const zero = (): Counters => ({ tls: 0, udp: 0, ws: 0, stun: 0 });

/** Everything the fuzz workers share: where to send, whether to go on, what they did. */
export class FuzzContext {
  running = true;
  readonly messages = zero();
  readonly bytes = zero();
  readonly connections = zero();
  readonly responses = zero();
  readonly connectErrors = zero();
  /** 2xx answers to INVITEs on fuzz connections: calls that went through the B2BUA. */
  callsAnswered = 0;
  /** The last messages sent on each transport, oldest first (bounded), for the reproducer of a finding. */
  readonly #recent = new Map<TransportName, SentMessage[]>(TRANSPORTS.map((t) => [t, []]));

  constructor(
    readonly target: { ports: EmulatorPorts; ca: string },
    readonly recentLimit: number,
    /**
     * Trunks registering without digest, one per TLS worker (a second registration of the
     * same trunk would take it over): connections that register reach the B2BUA.
     */
    readonly plainTrunkUsers: readonly string[],
  ) {}

  record(message: Omit<SentMessage, "at">): void {
    this.messages[message.transport]++;
    this.bytes[message.transport] += message.bytes.length;
    const ring = this.#recent.get(message.transport)!;
    ring.push({ ...message, at: Date.now() });
    if (ring.length > this.recentLimit) ring.shift();
  }

  /** The kept messages of every transport, oldest first. */
  recent(): SentMessage[] {
    return [...this.#recent.values()].flat().sort((a, b) => a.at - b.at);
  }
}
