/**
 * The "emulator core" of `npm run bench -- --anchored-calls`, driven over IPC. Two relays:
 * - "endpoint": one WebRtcEndpoint per call (DTLS-SRTP toward a browser) bridged packet for
 *   packet to a plain RTP socket toward the "PBX" — the media gateway alone, without SIP;
 * - "b2bua": the B2BUA's own relay, as a client call runs it without SIP — a ClientMedia per
 *   call (its PBX leg a MediaSession of a MediaEngine, its client leg a WebRtcLeg) with the
 *   RTP fault gate in place (no rules), so the relay, payload-type mapping, counters and
 *   fault checks of every packet are measured too.
 */
import { createSocket, type Socket } from "node:dgram";
import { ClientMedia, WebRtcLeg } from "../src/b2bua/index.js";
import { FaultEngine, RtpFaultGate } from "../src/faults/index.js";
import { MediaEngine, WebRtcEndpoint } from "../src/media/index.js";
import { SystemClock } from "../src/shared/clock.js";
import { serveRpc } from "./anchored-calls-protocol.js";

interface Leg {
  readonly endpoint: WebRtcEndpoint;
  readonly socket: Socket;
  pbxPort: number;
}

const legs = new Map<number, Leg>();
const relays = new Map<number, { media: ClientMedia; connected: boolean }>();
const clock = new SystemClock();
const gate = new RtpFaultGate(new FaultEngine(clock), { timers: clock });
let engine: MediaEngine | undefined;
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

/**
 * The PBX's answer to the core's offer: PCMU and telephone-event, toward port 9 of
 * 127.0.0.1 until the PBX side's first packet latches its real port (symmetric RTP).
 */
const PBX_ANSWER = [
  "v=0",
  "o=pbx 1 1 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 9 RTP/AVP 0 101",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=sendrecv",
  "",
].join("\r\n");

/** The B2BUA's relay for one call: its PBX leg offers, the "PBX" answers, the browser's offer opens the WebRTC leg. */
async function answerByB2bua(call: number, offer: string): Promise<{ answer: string; port: number }> {
  engine ??= new MediaEngine({
    host: "127.0.0.1",
    bind: "127.0.0.1",
    portRange: { min: 40000, max: 49999 },
    faults: gate,
  });
  const media = await ClientMedia.open({
    media: engine,
    webrtc: { addresses: ["127.0.0.1"], connectTimeoutMs: 30_000, faults: gate },
  });
  const relay = { media, connected: false };
  relays.set(call, relay);
  const toPbxOffer = media.offerToPbx(offer);
  if (!toPbxOffer.ok) throw new Error(toPbxOffer.reason);
  const answered = await media.pbxAnswer(PBX_ANSWER, offer);
  if (!answered.ok) throw new Error(answered.reason);
  media.onAudio((audio) => {
    if (audio.side === "client") toPbx += 1;
    else fromPbx += 1;
  });
  return { answer: answered.clientSdp, port: media.pbx.localPort };
}

async function answer(args: Record<string, unknown>): Promise<{ answer: string; port: number }> {
  const call = Number(args.call);
  if (args.relay === "b2bua") return answerByB2bua(call, String(args.offer));
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
    const relay = relays.get(Number(call));
    if (relay) {
      const client = relay.media.client;
      if (!(client instanceof WebRtcLeg)) throw new Error(`call ${String(call)} has no WebRTC leg`);
      await client.connected;
      relay.connected = true;
      return;
    }
    const leg = legs.get(Number(call));
    if (!leg) throw new Error(`no call ${String(call)}`);
    leg.pbxPort = Number(pbxPort);
    await leg.endpoint.connected;
  },
  usage: () => {
    const cpu = process.cpuUsage();
    const failed =
      [...legs.values()].filter((l) => l.endpoint.state !== "connected").length +
      [...relays.values()].filter((r) => !r.connected).length;
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
    for (const relay of relays.values()) relay.media.close();
    relays.clear();
  },
});
