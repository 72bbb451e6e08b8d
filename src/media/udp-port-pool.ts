import { createSocket, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";

export interface PortRange {
  min: number;
  max: number;
}

/** Codes of a port that another socket holds (or that we may not use): try the next one. */
const PORT_TAKEN = new Set(["EADDRINUSE", "EACCES"]);

function bindUdp(host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: isIPv4(host) ? "udp4" : "udp6" });
  return new Promise((resolve, reject) => {
    socket.once("error", (error) => {
      try {
        socket.close();
      } catch {
        // Already closed by the failed bind.
      }
      reject(error);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners("error");
      resolve(socket);
    });
  });
}

/** Two sockets of one session: RTP on the even port, RTCP on the odd one above it. */
export interface BoundPair {
  socket: Socket;
  rtcpSocket: Socket;
  port: number;
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed.
  }
}

/**
 * Binds UDP socket pairs on the even ports of a range and the odd port above each
 * (RFC 3550 §11: RTP on an even port, RTCP on the next one); a pair whose either port is
 * taken is skipped. The odd port stays bound even when RTCP is multiplexed (RFC 5761):
 * the peer may still send there. A rotating cursor spreads sessions over the range, so a
 * port just freed is reused last and late packets of an old call do not land in a new one.
 */
export class UdpPortPool {
  private readonly first: number;
  /** Number of even/odd port pairs in the range. */
  readonly capacity: number;
  private readonly inUse = new Set<number>();
  private cursor = 0;

  constructor(
    private readonly host: string,
    readonly range: PortRange,
  ) {
    const { min, max } = range;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new RangeError(`bad RTP port range ${min}-${max}: want integers 1 ≤ min ≤ max ≤ 65535`);
    }
    this.first = min + (min % 2);
    // Each even port needs its odd RTCP port inside the range too.
    this.capacity = this.first + 1 > max ? 0 : Math.floor((max - 1 - this.first) / 2) + 1;
    if (this.capacity === 0)
      throw new RangeError(
        `the RTP port range ${min}-${max} has no even port with an odd RTCP port above it`,
      );
  }

  get used(): number {
    return this.inUse.size;
  }

  /** Binds the next free even port and the one above it; rejects when every pair of the range is taken. */
  async open(): Promise<BoundPair> {
    for (let attempt = 0; attempt < this.capacity; attempt++) {
      const index = (this.cursor + attempt) % this.capacity;
      const port = this.first + 2 * index;
      if (this.inUse.has(port)) continue;
      // Reserved before the await, so concurrent opens never race for one port.
      this.inUse.add(port);
      try {
        const socket = await bindUdp(this.host, port);
        let rtcpSocket: Socket;
        try {
          rtcpSocket = await bindUdp(this.host, port + 1);
        } catch (error) {
          closeQuietly(socket);
          throw error;
        }
        this.cursor = (index + 1) % this.capacity;
        return { socket, rtcpSocket, port };
      } catch (error) {
        this.inUse.delete(port);
        if (!PORT_TAKEN.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
      }
    }
    const { min, max } = this.range;
    throw new Error(
      `no free RTP port: all ${this.capacity} even ports of ${min}-${max} on ${this.host} (with RTCP on ` +
        `the port above each) are in use ` +
        `(${this.inUse.size} by this engine, the rest by other sockets)`,
    );
  }

  release(port: number): void {
    this.inUse.delete(port);
  }
}
