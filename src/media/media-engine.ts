import { randomInt } from "node:crypto";
import { Listeners } from "../shared/listeners.js";
import { AudioFrames } from "./audio-frames.js";
import { MediaSession, type RtpFaultHooks } from "./media-session.js";
import { MediaTicker } from "./media-ticker.js";
import { isMediaMode, type MediaMode, type MediaStats } from "./media-types.js";
import { type BoundPair, type PortRange, UdpPortPool } from "./udp-port-pool.js";

/**
 * A CNAME unique to the session (RFC 7022 §4.2 asks for a short-term one that reveals
 * nothing about the user): our SSRC in hex at the advertised host, at most 255 octets.
 */
function cnameOf(ssrc: number, host: string): string {
  return `${ssrc.toString(16).padStart(8, "0")}@${host}`.slice(0, 255);
}

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
  /** RTP fault injection (the fault engine's gate); none when absent. RTCP is not subject to it. */
  faults?: RtpFaultHooks;
  /** Mean RTCP report interval (config `rtcpIntervalMs`); default 5000 (RFC 3550 §6.2's minimum). */
  rtcpIntervalMs?: number;
}

const DEFAULT_RTCP_INTERVAL_MS = 5000;

/**
 * The RTP side of the connector: one MediaSession per call leg, each on its own even UDP
 * port from the range with RTCP on the odd port above it (or multiplexed, RFC 5761). One
 * shared 20 ms ticker paces every sending session; each session times its own RTCP.
 */
export class MediaEngine {
  private readonly options: MediaEngineOptions;
  private readonly log: (event: string, detail: object) => void;
  private readonly ports: UdpPortPool;
  private readonly ticker: MediaTicker;
  private readonly frames = new AudioFrames();
  private readonly sessions = new Map<MediaSession, Promise<void>>();
  private closed = false;
  /** The final counters of each session as it closes (monitoring adds them up). */
  readonly sessionClosed = new Listeners<MediaStats>();

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
    let bound: BoundPair;
    try {
      bound = await this.ports.open();
    } catch (error) {
      this.log("port_unavailable", { message: (error as Error).message });
      throw error;
    }
    const { socket, rtcpSocket, port } = bound;
    if (this.closed) {
      socket.close();
      rtcpSocket.close();
      this.ports.release(port);
      throw new Error("the media engine is closed");
    }
    const socketClosed = Promise.all(
      [socket, rtcpSocket].map((s) => new Promise<void>((resolve) => s.once("close", resolve))),
    ).then(() => undefined);
    const ssrc = options.ssrc ?? randomInt(0, 2 ** 32);
    const session = new MediaSession({
      socket,
      rtcpSocket,
      port,
      host: this.options.host,
      mode,
      ssrc,
      cname: cnameOf(ssrc, this.options.host),
      rtcpIntervalMs: this.options.rtcpIntervalMs ?? DEFAULT_RTCP_INTERVAL_MS,
      ticker: this.ticker,
      frames: this.frames,
      log: this.log,
      now: this.options.now ?? Date.now,
      onClose: (closed) => {
        this.sessions.delete(closed);
        this.sessionClosed.emit(closed.stats);
      },
      onReleased: () => this.ports.release(port),
    });
    session.useFaults(this.options.faults);
    this.sessions.set(session, socketClosed);
    this.log("session_created", { port, mode: session.mode });
    return session;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** The counters of every open session, now. */
  liveStats(): MediaStats[] {
    return [...this.sessions.keys()].map((session) => session.stats);
  }

  /** Closes every session (each sends its RTCP BYE) and the ticker; resolves when all sockets are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = [...this.sessions.values()];
    for (const session of [...this.sessions.keys()]) session.close();
    this.ticker.stop();
    await Promise.all(closing);
  }
}
