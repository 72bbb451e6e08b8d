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
 * port 0 and report it (Kamailio, baresip, linphone). Ports handed out by this process
 * are not handed out twice.
 */
const given = new Set<number>();
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tcpFree(0);
    if (given.has(port) || !(await udpFree(port))) continue;
    given.add(port);
    return port;
  }
  throw new Error("no free port on 127.0.0.1 after 50 attempts");
}
