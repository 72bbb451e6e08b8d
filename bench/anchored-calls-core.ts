/**
 * The "emulator core" of `npm run bench -- --anchored-calls`: one WebRtcEndpoint per call
 * (DTLS-SRTP toward a browser) bridged packet for packet to a plain RTP socket toward the
 * "PBX" — the anchored media path of a client call, without SIP. Driven over IPC.
 */
import { createSocket, type Socket } from "node:dgram";
import { WebRtcEndpoint } from "../src/media/index.js";
import { serveRpc } from "./anchored-calls-protocol.js";

interface Leg {
  readonly endpoint: WebRtcEndpoint;
  readonly socket: Socket;
  pbxPort: number;
}

const legs = new Map<number, Leg>();
let toPbx = 0;
let fromPbx = 0;
let dropped = 0;

function bindSocket(): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      socket.off("error", reject);
      socket.on("error", () => undefined);
      resolve(socket);
    });
  });
}

/** RFC 3550 §5.1 fixed header (no CSRC, no extension) + payload. */
function rtpBytes(
  pt: number,
  marker: boolean,
  seq: number,
  ts: number,
  ssrc: number,
  payload: Buffer,
): Buffer {
  const out = Buffer.allocUnsafe(12 + payload.length);
  out[0] = 0x80;
  out[1] = (marker ? 0x80 : 0) | (pt & 0x7f);
  out.writeUInt16BE(seq, 2);
  out.writeUInt32BE(ts >>> 0, 4);
  out.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(out, 12);
  return out;
}

async function answer(args: Record<string, unknown>): Promise<{ answer: string; port: number }> {
  const call = Number(args.call);
  const endpoint = await WebRtcEndpoint.answer(String(args.offer), {
    codecs: ["PCMU"],
    connectTimeoutMs: 30_000,
  });
  const socket = await bindSocket();
  const leg: Leg = { endpoint, socket, pbxPort: 0 };
  legs.set(call, leg);
  // Browser → PBX: each decrypted packet goes out as plain RTP.
  endpoint.onRtp((p) => {
    if (leg.pbxPort === 0) return;
    toPbx += 1;
    socket.send(
      rtpBytes(p.payloadType, p.marker, p.sequenceNumber, p.timestamp, 0x1000 + call, p.payload),
      leg.pbxPort,
      "127.0.0.1",
    );
  });
  // PBX → browser: each plain packet goes out over SRTP.
  socket.on("message", (msg) => {
    if (msg.length < 12) return;
    const sent = endpoint.sendRtp({
      payloadType: msg[1]! & 0x7f,
      marker: (msg[1]! & 0x80) !== 0,
      sequenceNumber: msg.readUInt16BE(2),
      timestamp: msg.readUInt32BE(4),
      payload: msg.subarray(12),
    });
    if (sent) fromPbx += 1;
    else dropped += 1;
  });
  return { answer: endpoint.localSdp, port: socket.address().port };
}

serveRpc({
  answer,
  connected: async ({ call, pbxPort }) => {
    const leg = legs.get(Number(call));
    if (!leg) throw new Error(`no call ${String(call)}`);
    leg.pbxPort = Number(pbxPort);
    await leg.endpoint.connected;
  },
  usage: () => {
    const cpu = process.cpuUsage();
    const failed = [...legs.values()].filter((l) => l.endpoint.state !== "connected").length;
    return {
      cpuMicros: cpu.user + cpu.system,
      rss: process.memoryUsage().rss,
      toPbx,
      fromPbx,
      dropped,
      failed,
    };
  },
  close: async () => {
    await Promise.all(
      [...legs.values()].map(async (l) => {
        l.socket.close();
        await l.endpoint.close();
      }),
    );
    legs.clear();
  },
});
