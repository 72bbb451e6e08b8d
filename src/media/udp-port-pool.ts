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

/**
 * Binds UDP sockets on the even ports of a range (RFC 3550 §11: RTP on an even port, RTCP
 * on the next odd one; the odd port is left alone, not bound). A rotating cursor spreads
 * sessions over the range, so a port just freed is reused last and late packets of an
 * old call do not land in a new one.
 */
export class UdpPortPool {
  private readonly first: number;
  /** Number of even ports in the range. */
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
    this.capacity = this.first > max ? 0 : Math.floor((max - this.first) / 2) + 1;
    if (this.capacity === 0) throw new RangeError(`the RTP port range ${min}-${max} has no even port`);
  }

  get used(): number {
    return this.inUse.size;
  }

  /** Binds the next free even port; rejects when every port of the range is taken. */
  async open(): Promise<{ socket: Socket; port: number }> {
    for (let attempt = 0; attempt < this.capacity; attempt++) {
      const index = (this.cursor + attempt) % this.capacity;
      const port = this.first + 2 * index;
      if (this.inUse.has(port)) continue;
      // Reserved before the await, so concurrent opens never race for one port.
      this.inUse.add(port);
      try {
        const socket = await bindUdp(this.host, port);
        this.cursor = (index + 1) % this.capacity;
        return { socket, port };
      } catch (error) {
        this.inUse.delete(port);
        if (!PORT_TAKEN.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
      }
    }
    const { min, max } = this.range;
    throw new Error(
      `no free RTP port: all ${this.capacity} even ports of ${min}-${max} on ${this.host} are in use ` +
        `(${this.inUse.size} by this engine, the rest by other sockets)`,
    );
  }

  release(port: number): void {
    this.inUse.delete(port);
  }
}
