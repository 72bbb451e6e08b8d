import { timingSafeEqual } from "node:crypto";
import { Registry } from "prom-client";
import { secretDigest } from "../auth/index.js";
import { httpMetrics } from "./http-metrics.js";
import { processRegistry } from "./process-metrics.js";

export interface MetricsOptions {
  /** A bearer token that may read /metrics and nothing else (kept as its SHA-256 only). */
  readonly token: string | null;
  /** Serve /metrics without any token. */
  readonly public: boolean;
}

/**
 * One emulator's metrics: its own prom-client registry (tests run many emulators in one
 * process), filled by the watchers the composition root attaches to each layer, scraped as
 * the Prometheus text format together with the per-process metrics.
 */
export class EmulatorMetrics {
  readonly registry = new Registry();
  readonly contentType: string = this.registry.contentType;
  readonly public: boolean;
  readonly httpRequest: (method: string, route: string | undefined, status: number, seconds: number) => void;
  private readonly tokenDigest: Buffer | null;

  constructor(options: MetricsOptions) {
    this.public = options.public;
    this.tokenDigest = options.token ? secretDigest(options.token) : null;
    this.httpRequest = httpMetrics(this.registry);
  }

  /** Constant-time, like the admin token; false when no metrics token is set. */
  tokenMatches(candidate: string): boolean {
    return this.tokenDigest !== null && timingSafeEqual(secretDigest(candidate), this.tokenDigest);
  }

  /** The exposition text: this emulator's metrics, then the process's. */
  async scrape(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${own.trimEnd()}\n\n${process}`;
  }
}
