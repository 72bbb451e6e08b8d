import tls from "node:tls";
import type { FailureKind } from "./phase-stats.js";
import { type ResponseLite, ResponseScanner } from "./sip-wire.js";

/** One request in flight, keyed by its Call-ID (one outstanding request per Call-ID). */
export interface Exchange {
  readonly callId: string;
  /** CSeq number of the request: a late answer to an earlier request of the Call-ID is not ours. */
  readonly cseq: number;
  /** performance.now() when the request was written. */
  sentAt: number;
  onResponse(response: ResponseLite): void;
  onFailure(kind: FailureKind): void;
}

export interface ConnectOptions {
  readonly port: number;
  readonly timeoutMs: number;
}

let sharedContext: tls.SecureContext | undefined;

/**
 * Opens a TLS connection to the emulator (its certificate is self-signed: not verified).
 * One SecureContext for all: without it every tls.connect builds its own, which costs the
 * generator more than the handshake itself.
 */
export function connectTls(options: ConnectOptions): Promise<tls.TLSSocket> {
  sharedContext ??= tls.createSecureContext();
  const secureContext = sharedContext;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port: options.port,
      servername: "phoneapp.unify.com",
      rejectUnauthorized: false,
      secureContext,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TLS connect timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * A persistent SIP/TLS connection of the generator: routes each final response to the
 * exchange with its Call-ID, batches the writes of one tick into one TLS record with
 * cork/uncork, and fails what is in flight when the connection drops.
 */
export class BenchConnection {
  readonly localPort: number;
  private readonly pending = new Map<string, Exchange>();
  private readonly scanner = new ResponseScanner();
  private readonly responses: ResponseLite[] = [];
  private corked = false;
  private closing = false;
  private dead = false;
  /** Told about responses nobody waits for and about an unexpected close. */
  onProblem: (kind: FailureKind) => void = () => {};

  constructor(private readonly socket: tls.TLSSocket) {
    this.localPort = socket.localPort ?? 0;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => {});
    socket.on("close", () => this.onClose());
  }

  get alive(): boolean {
    return !this.dead && !this.closing;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  send(exchange: Exchange, text: string): void {
    if (!this.alive) {
      exchange.onFailure("reset");
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    exchange.sentAt = performance.now();
    this.pending.set(exchange.callId, exchange);
    this.socket.write(text);
  }

  /** Fails exchanges older than `timeoutMs`. */
  sweep(now: number, timeoutMs: number): void {
    for (const [callId, exchange] of this.pending) {
      if (now - exchange.sentAt <= timeoutMs) continue;
      this.pending.delete(callId);
      exchange.onFailure("timeout");
    }
  }

  /** Close on purpose: what is still in flight is dropped without counting as failure. */
  close(): void {
    this.closing = true;
    this.pending.clear();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.scanner.push(chunk, this.responses);
    for (const response of this.responses) {
      if (response.status < 200) continue;
      const exchange = this.pending.get(response.callId);
      if (!exchange || exchange.cseq !== response.cseq) {
        this.onProblem("unmatched");
        continue;
      }
      this.pending.delete(response.callId);
      exchange.onResponse(response);
    }
    this.responses.length = 0;
  }

  private onClose(): void {
    if (this.dead) return;
    this.dead = true;
    if (this.closing) return;
    this.onProblem("reset");
    const lost = [...this.pending.values()];
    this.pending.clear();
    for (const exchange of lost) exchange.onFailure("reset");
  }
}
