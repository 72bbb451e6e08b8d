import { createSocket } from "node:dgram";
import { createServer } from "node:net";

function tcpFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

/**
 * A port on 127.0.0.1 free for both TCP and UDP right now, for peers that cannot bind
 * port 0 and report it (Kamailio, baresip, linphone). `withNext`: port + 1 too (baresip
 * puts SIP over TLS there, RTP puts RTCP there). Ports handed out by this process are not
 * handed out twice.
 */
const given = new Set<number>();
export async function freePort(options: { withNext?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tcpFree(0);
    const ports = options.withNext ? [port, port + 1] : [port];
    if (ports.some((p) => given.has(p) || p > 65535)) continue;
    if (!(await allFree(ports))) continue;
    for (const p of ports) given.add(p);
    return port;
  }
  throw new Error("no free port on 127.0.0.1 after 50 attempts");
}

async function allFree(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    if (!(await udpFree(port))) return false;
    if ((await tcpFree(port).catch(() => 0)) !== port) return false;
  }
  return true;
}
