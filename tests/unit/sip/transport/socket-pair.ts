import net from "node:net";

/** Both ends of a real TCP connection on 127.0.0.1: `local` is the side under test. */
export interface SocketPair {
  readonly local: net.Socket;
  readonly peer: net.Socket;
  /** Everything the peer has received so far, as latin1 text. */
  readonly received: () => string;
  /** Resolves when the peer's side has closed; `error` is set for a reset. */
  readonly peerClosed: Promise<{ error?: NodeJS.ErrnoException }>;
  close(): void;
}

export async function socketPair(): Promise<SocketPair> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const peer = net.connect(port, "127.0.0.1");
  const local = await accepted;
  server.close();
  const chunks: Buffer[] = [];
  peer.on("data", (chunk: Buffer) => chunks.push(chunk));
  let error: NodeJS.ErrnoException | undefined;
  peer.on("error", (err) => {
    error = err;
  });
  peer.on("end", () => peer.end());
  const peerClosed = new Promise<{ error?: NodeJS.ErrnoException }>((resolve) =>
    peer.once("close", () => resolve(error ? { error } : {})),
  );
  return {
    local,
    peer,
    received: () => Buffer.concat(chunks).toString("latin1"),
    peerClosed,
    close: () => {
      peer.destroy();
      local.destroy();
    },
  };
}
