import dgram from "node:dgram";
import WebSocket from "ws";
import type { EmulatorPorts } from "../lib/emulator-process.js";
import { connectTls, httpsJson, nextEvent } from "../lib/net-clients.js";
import { registerText } from "../lib/sip-wire.js";
import type { TransportName } from "./fuzz-context.js";

export interface Target {
  readonly ports: EmulatorPorts;
  readonly ca: string;
}

let probeCount = 0;

/**
 * The liveness check of the fuzzer: a REGISTER on a fresh TLS connection must get a SIP
 * answer (any status) and GET /healthz a 200, each within `timeoutMs`. Resolves with the
 * time taken, or rejects with what did not answer.
 */
export async function probe(target: Target, trunkUser: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const socket = await connectTls(target.ports.sip, target.ca, timeoutMs);
  try {
    const n = ++probeCount;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to the probe REGISTER in ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once("data", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("close", () => {
        clearTimeout(timer);
        reject(new Error("the probe REGISTER's connection was closed unanswered"));
      });
      socket.on("error", () => {});
      socket.write(
        registerText({
          user: trunkUser,
          localPort: socket.localPort ?? 5061,
          transport: "TLS",
          branch: `probe${n}`,
          tag: `probe${n}`,
          callId: `probe-${n}@127.0.0.1`,
          cseq: 1,
          expires: 600,
        }),
      );
    });
  } finally {
    socket.destroy();
  }
  const health = await httpsJson({ port: target.ports.https, ca: target.ca }, "GET", "/healthz", timeoutMs);
  if (health.status !== 200) throw new Error(`GET /healthz answered ${health.status}`);
  return Date.now() - started;
}

/**
 * Sends `messages` in order on one fresh connection (or socket) of `transport`, waiting up to
 * `waitMs` for an answer after each, as the fuzz workers do.
 */
export async function sendSequence(
  target: Target,
  transport: TransportName,
  messages: readonly Buffer[],
  waitMs: number,
): Promise<void> {
  if (transport === "tls") {
    const socket = await connectTls(target.ports.sip, target.ca, 5000);
    socket.on("error", () => {});
    for (const message of messages) {
      if (socket.destroyed) break;
      socket.write(message);
      await nextEvent(socket, ["data", "close"], waitMs);
    }
    socket.destroy();
    return;
  }
  if (transport === "ws") {
    const ws = new WebSocket(`wss://127.0.0.1:${target.ports.https}/ws`, "sip", {
      ca: target.ca,
      handshakeTimeout: 5000,
    });
    ws.on("error", () => {});
    const opened = await new Promise<boolean>((resolve) => {
      ws.once("open", () => resolve(true));
      ws.once("close", () => resolve(false));
    });
    for (const message of messages) {
      if (!opened || ws.readyState !== WebSocket.OPEN) break;
      ws.send(message);
      await nextEvent(ws, ["message", "close"], waitMs);
    }
    ws.terminate();
    return;
  }
  const port = transport === "udp" ? target.ports.sipUdp : target.ports.stun;
  if (port === null) throw new Error(`the emulator has no ${transport} port`);
  const socket = dgram.createSocket("udp4");
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  for (const message of messages) {
    socket.send(message, port, "127.0.0.1");
    await nextEvent(socket, ["message"], waitMs);
  }
  socket.close();
}
