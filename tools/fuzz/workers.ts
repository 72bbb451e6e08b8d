import dgram from "node:dgram";
import { setTimeout as sleep } from "node:timers/promises";
import type tls from "node:tls";
import WebSocket from "ws";
import { connectTls, nextEvent } from "../lib/net-clients.js";
import type { Rng } from "../lib/rng.js";
import { inviteText, registerText, WireReader } from "../lib/sip-wire.js";
import { CALLEE_NUMBER } from "../lib/tool-seed.js";
import { dialogOf, type FuzzDialog, inDialogRequest } from "./dialog-messages.js";
import type { FuzzContext } from "./fuzz-context.js";
import { nextMessage, splitPoints } from "./message-source.js";
import { mutate } from "./mutators.js";

/** How long a worker waits for an answer before it sends the next message. */
const ANSWER_WAIT_MS = 150;
/** Largest UDP payload we try (IPv4 limit is 65,507). */
const MAX_DATAGRAM = 65_000;

/** A request inside an answered call, damaged 7 times in 10. */
function inDialog(dialog: FuzzDialog, localPort: number, rng: Rng): { bytes: Buffer; steps: string[] } {
  const request = inDialogRequest(dialog, localPort, rng);
  if (rng.chance(0.3)) return { bytes: request, steps: ["in-dialog"] };
  const damaged = mutate(request, rng, true);
  return { bytes: damaged.bytes, steps: ["in-dialog", ...damaged.steps] };
}

/** Mutated SIP over fresh TLS connections: 1–20 messages each, split across records, then close or reset. */
export async function tlsWorker(
  ctx: FuzzContext,
  shared: readonly Buffer[],
  rng: Rng,
  id: number,
): Promise<void> {
  // The corpus names the first plain trunk; this worker's connections register as its own.
  const trunkUser = ctx.plainTrunkUsers[id % ctx.plainTrunkUsers.length]!;
  const corpus = shared.map((m) =>
    Buffer.from(m.toString("latin1").replaceAll(ctx.plainTrunkUsers[0]!, trunkUser), "latin1"),
  );
  const dialogRng = rng.fork("in-dialog");
  for (let connection = 0; ctx.running; connection++) {
    let socket: tls.TLSSocket;
    try {
      socket = await connectTls(ctx.target.ports.sip, ctx.target.ca, 5000);
    } catch {
      ctx.connectErrors.tls++;
      await sleep(200);
      continue;
    }
    ctx.connections.tls++;
    socket.on("error", () => {});
    // Calls the emulator answers here are remembered, to fuzz requests inside them.
    const reader = new WireReader();
    const dialogs: FuzzDialog[] = [];
    const answered = new Set<string>();
    socket.on("data", (chunk: Buffer) => {
      ctx.responses.tls++;
      for (const message of reader.push(chunk)) {
        const dialog = dialogOf(message);
        // 2xx retransmissions (no ACK was sent) repeat a Call-ID already seen.
        if (!dialog || answered.has(dialog.callId)) continue;
        answered.add(dialog.callId);
        ctx.callsAnswered++;
        if (dialogs.length < 8) dialogs.push(dialog);
      }
    });
    if (rng.chance(0.5)) {
      // Registered first, so mutated INVITEs, BYEs … reach the B2BUA instead of a 403.
      const register = registerText({
        user: trunkUser,
        localPort: socket.localPort ?? 5061,
        transport: "TLS",
        branch: rng.hex(6),
        tag: rng.hex(4),
        callId: `${rng.hex(8)}@127.0.0.1`,
        cseq: 1,
        expires: 600,
      });
      ctx.record({
        transport: "tls",
        worker: id,
        connection,
        bytes: Buffer.from(register),
        steps: ["register"],
      });
      socket.write(register);
      await nextEvent(socket, ["data", "close"], 1000);
      if (rng.chance(0.5)) {
        // And a call up, so in-dialog requests (mutated or not) have a dialog to hit.
        const invite = Buffer.from(
          inviteText(
            {
              trunkUser,
              localPort: socket.localPort ?? 5061,
              transport: "TLS",
              to: CALLEE_NUMBER,
              callId: `${rng.hex(8)}@127.0.0.1`,
              fromTag: rng.hex(4),
              branch: rng.hex(6),
              cseq: 1,
            },
            40000,
            rng.int(1e6),
          ),
        );
        ctx.record({ transport: "tls", worker: id, connection, bytes: invite, steps: ["invite"] });
        socket.write(invite);
        await nextEvent(socket, ["data", "close"], 1000);
      }
    }
    const budget = rng.range(1, 20);
    for (let i = 0; i < budget && ctx.running && !socket.destroyed; i++) {
      // The main stream draws the same whether or not a call is up (so a seed replays the
      // same choices); requests inside calls come from their own stream.
      const generated = nextMessage(corpus, rng, true);
      const { bytes, steps } =
        rng.chance(0.5) && dialogs.length > 0
          ? inDialog(dialogRng.pick(dialogs), socket.localPort ?? 5061, dialogRng)
          : generated;
      ctx.record({ transport: "tls", worker: id, connection, bytes, steps });
      const pieces = splitPoints(bytes, rng);
      for (const piece of pieces) {
        if (socket.destroyed) break;
        socket.write(piece);
        if (pieces.length > 1) await sleep(1);
      }
      await nextEvent(socket, ["data", "close"], ANSWER_WAIT_MS);
    }
    if (rng.chance(0.5)) socket.end();
    else socket.destroy();
  }
}

/** Mutated SIP over the debug UDP listener, one datagram per message. */
export async function udpWorker(
  ctx: FuzzContext,
  corpus: readonly Buffer[],
  rng: Rng,
  id: number,
): Promise<void> {
  const port = ctx.target.ports.sipUdp;
  if (port === null) return;
  await datagramLoop(ctx, rng, id, "udp", port, () => nextMessage(corpus, rng, true));
}

/** Mutated STUN binding requests (and RFC 5769 vectors) to the STUN port. */
export async function stunWorker(
  ctx: FuzzContext,
  corpus: readonly Buffer[],
  rng: Rng,
  id: number,
): Promise<void> {
  const port = ctx.target.ports.stun;
  if (port === null) return;
  await datagramLoop(ctx, rng, id, "stun", port, () =>
    rng.chance(0.05)
      ? { bytes: rng.bytes(rng.range(0, 600)), steps: ["random"] }
      : nextMessage(corpus, rng, false),
  );
}

async function datagramLoop(
  ctx: FuzzContext,
  rng: Rng,
  id: number,
  transport: "udp" | "stun",
  port: number,
  next: () => { bytes: Buffer; steps: string[] },
): Promise<void> {
  const socket = dgram.createSocket("udp4");
  socket.on("error", () => {});
  socket.on("message", () => ctx.responses[transport]++);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  ctx.connections[transport]++;
  try {
    while (ctx.running) {
      const message = next();
      const bytes = message.bytes.subarray(0, MAX_DATAGRAM);
      ctx.record({ transport, worker: id, connection: 0, bytes, steps: message.steps });
      await new Promise<void>((resolve) => socket.send(bytes, port, "127.0.0.1", () => resolve()));
      await nextEvent(socket, ["message"], rng.range(5, 40));
    }
  } finally {
    socket.close();
  }
}

/** Mutated SIP in WebSocket frames (RFC 7118) on /ws: text or binary, sometimes fragmented. */
export async function wsWorker(
  ctx: FuzzContext,
  corpus: readonly Buffer[],
  rng: Rng,
  id: number,
): Promise<void> {
  for (let connection = 0; ctx.running; connection++) {
    const ws = new WebSocket(`wss://127.0.0.1:${ctx.target.ports.https}/ws`, "sip", {
      ca: ctx.target.ca,
      handshakeTimeout: 5000,
    });
    ws.on("error", () => {});
    const opened = await new Promise<boolean>((resolve) => {
      ws.once("open", () => resolve(true));
      ws.once("close", () => resolve(false));
    });
    if (!opened) {
      ctx.connectErrors.ws++;
      await sleep(200);
      continue;
    }
    ctx.connections.ws++;
    ws.on("message", () => ctx.responses.ws++);
    const budget = rng.range(1, 20);
    for (let i = 0; i < budget && ctx.running && ws.readyState === WebSocket.OPEN; i++) {
      const { bytes, steps } = nextMessage(corpus, rng, true);
      ctx.record({ transport: "ws", worker: id, connection, bytes, steps });
      const binary = rng.chance(0.3);
      const pieces = splitPoints(bytes, rng);
      pieces.forEach((piece, n) => {
        ws.send(piece, { binary, fin: n === pieces.length - 1 });
      });
      await nextEvent(ws, ["message", "close"], ANSWER_WAIT_MS);
    }
    if (rng.chance(0.5)) ws.close();
    else ws.terminate();
  }
}
