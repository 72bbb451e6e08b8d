import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";
import { respondToBinding } from "./binding-responder.js";
import { SourceRateLimit } from "./source-rate-limit.js";

export interface StunServerOptions {
  /**
   * Receives "listening", "binding", "unknown_attributes", "ignored", "rate_limited" (once per
   * spell of refusals of a source), "socket_error", "send_error".
   */
  log?: (event: string, detail: object) => void;
  /**
   * Answers per second per source address (also the largest burst); requests beyond it are
   * dropped silently. 0 or absent: no limit. `now` (monotonic ms) is for tests.
   */
  rateLimit?: { readonly perSecond: number; readonly now?: () => number };
}

export interface StunStats {
  /** Requests answered (success or error response). */
  requests: number;
  /** Datagrams dropped without an answer: not a Binding request we can answer. */
  ignored: number;
  /** Requests dropped without an answer because their source was over its rate. */
  limited: number;
}

/** RFC 5389 Binding responder on one UDP socket (udp4 for an IPv4 host, udp6 otherwise). */
export class StunServer {
  private readonly log: (event: string, detail: object) => void;
  private readonly counters: StunStats = { requests: 0, ignored: 0, limited: 0 };
  private readonly limit: SourceRateLimit | undefined;
  private socket: Socket | undefined;

  constructor(options: StunServerOptions = {}) {
    this.log = options.log ?? (() => undefined);
    const rate = options.rateLimit;
    if (rate && rate.perSecond > 0) this.limit = new SourceRateLimit(rate);
  }

  get stats(): StunStats {
    return { ...this.counters };
  }

  listen(options: { host: string; port: number }): Promise<{ address: string; port: number }> {
    if (this.socket) return Promise.reject(new Error("the STUN server is already listening"));
    const socket = createSocket({ type: isIPv4(options.host) ? "udp4" : "udp6" });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => {
        this.socket = undefined;
        try {
          socket.close();
        } catch {
          // Already closed by the failed bind.
        }
        reject(error);
      };
      socket.once("error", failed);
      socket.bind(options.port, options.host, () => {
        socket.off("error", failed);
        // A UDP socket keeps working after most errors (e.g. ICMP feedback): log, never throw.
        socket.on("error", (error) => this.log("socket_error", { message: error.message }));
        socket.on("message", (data, remote) => this.handle(socket, data, remote));
        const { address, port } = socket.address();
        this.log("listening", { address, port });
        resolve({ address, port });
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    this.socket = undefined;
    return new Promise((resolve) => socket.close(() => resolve()));
  }

  private handle(socket: Socket, data: Buffer, remote: RemoteInfo): void {
    const from = `${remote.address}:${remote.port}`;
    let outcome: ReturnType<typeof respondToBinding>;
    try {
      outcome = respondToBinding(data, { family: remote.family, address: remote.address, port: remote.port });
    } catch (error) {
      outcome = { action: "ignore", reason: `cannot answer: ${(error as Error).message}` };
    }
    if (outcome.action === "ignore") {
      this.counters.ignored++;
      this.log("ignored", { from, bytes: data.length, reason: outcome.reason });
      return;
    }
    const decision = this.limit?.take(remote.address) ?? "allow";
    if (decision !== "allow") {
      this.counters.limited++;
      if (decision === "refuse-first") this.log("rate_limited", { from: remote.address });
      return;
    }
    this.counters.requests++;
    if (outcome.action === "success") this.log("binding", { from, mapped: outcome.mapped });
    else this.log("unknown_attributes", { from, types: outcome.unknown });
    socket.send(outcome.response, remote.port, remote.address, (error) => {
      if (error) this.log("send_error", { to: from, message: error.message });
    });
  }
}
