import { randomInt } from "node:crypto";
import type { Socket } from "node:dgram";
import { AudioFrames } from "./audio-frames.js";
import { MediaSession, type RtpFaultHooks } from "./media-session.js";
import { MediaTicker } from "./media-ticker.js";
import { isMediaMode, type MediaMode } from "./media-types.js";
import { type PortRange, UdpPortPool } from "./udp-port-pool.js";

export interface MediaEngineOptions {
  /** The address we advertise in SDP c= and o= lines. */
  host: string;
  /** The local address the RTP sockets bind to. */
  bind: string;
  /** RTP ports (config `rtpPorts`); sessions take the even ones. */
  portRange: PortRange;
  log?: (event: string, detail: object) => void;
  /** Clock for `lastReceivedAt` (the emulator clock); pacing and jitter use the monotonic clock. */
  now?: () => number;
  /** RTP fault injection (the fault engine's gate); none when absent. */
  faults?: RtpFaultHooks;
}

/**
 * The RTP side of the connector: one MediaSession per call leg, each on its own UDP port
 * from the range. RTCP is neither sent nor received: the odd port above each RTP port is
 * not bound. One shared 20 ms ticker paces every sending session.
 */
export class MediaEngine {
  private readonly options: MediaEngineOptions;
  private readonly log: (event: string, detail: object) => void;
  private readonly ports: UdpPortPool;
  private readonly ticker: MediaTicker;
  private readonly frames = new AudioFrames();
  private readonly sessions = new Map<MediaSession, Promise<void>>();
  private closed = false;

  constructor(options: MediaEngineOptions) {
    this.options = options;
    this.log = options.log ?? (() => undefined);
    this.ports = new UdpPortPool(options.bind, options.portRange);
    this.ticker = new MediaTicker({
      onError: (error) => this.log("tick_error", { message: (error as Error).message }),
    });
  }

  /** Binds a session on a free even port; rejects when the range is exhausted or the engine closed. */
  async createSession(options: { mode?: MediaMode; ssrc?: number } = {}): Promise<MediaSession> {
    if (this.closed) throw new Error("the media engine is closed");
    const mode = options.mode ?? "echo";
    if (!isMediaMode(mode)) throw new RangeError(`unknown media mode "${mode}": use echo, tone or silence`);
    let bound: { socket: Socket; port: number };
    try {
      bound = await this.ports.open();
    } catch (error) {
      this.log("port_unavailable", { message: (error as Error).message });
      throw error;
    }
    const { socket, port } = bound;
    if (this.closed) {
      socket.close();
      this.ports.release(port);
      throw new Error("the media engine is closed");
    }
    const socketClosed = new Promise<void>((resolve) => socket.once("close", resolve));
    const session = new MediaSession({
      socket,
      port,
      host: this.options.host,
      mode,
      ssrc: options.ssrc ?? randomInt(0, 2 ** 32),
      ticker: this.ticker,
      frames: this.frames,
      log: this.log,
      now: this.options.now ?? Date.now,
      onClose: (closed) => {
        this.sessions.delete(closed);
        this.ports.release(port);
      },
    });
    session.useFaults(this.options.faults);
    this.sessions.set(session, socketClosed);
    this.log("session_created", { port, mode: session.mode });
    return session;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Closes every session and the ticker; resolves when all sockets are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = [...this.sessions.values()];
    for (const session of [...this.sessions.keys()]) session.close();
    this.ticker.stop();
    await Promise.all(closing);
  }
}
