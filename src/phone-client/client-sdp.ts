/**
 * The little SDP (RFC 4566) an emulated client needs for RFC 3264 offer/answer: one audio
 * stream, G.711 (PCMA, PCMU) and telephone-event (RFC 4733). Written independently of
 * the server's media code, so the client is a second opinion in tests, not a mirror.
 */

export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export interface AudioCodec {
  readonly name: "PCMA" | "PCMU";
  readonly payloadType: number;
}

/** What the client offers, in order of preference (static payload types, RFC 3551 §6). */
export const CLIENT_CODECS: readonly AudioCodec[] = [
  { name: "PCMA", payloadType: 8 },
  { name: "PCMU", payloadType: 0 },
];
export const TELEPHONE_EVENT_PAYLOAD_TYPE = 101;

export interface RemoteAudio {
  readonly address: string;
  /** 0: the stream was rejected (RFC 3264 §6). */
  readonly port: number;
  readonly protocol: string;
  /** Payload types offered, in order, with their encoding names (upper case). */
  readonly formats: ReadonlyArray<{ readonly payloadType: number; readonly encoding: string }>;
  readonly telephoneEvent: number | null;
  /** The direction as the remote side wrote it (its point of view). */
  readonly direction: Direction;
}

export class ClientSdpError extends Error {
  override readonly name = "ClientSdpError";
}

const DIRECTIONS = new Set<string>(["sendrecv", "sendonly", "recvonly", "inactive"]);
/** RFC 3551 Table 4: names of the static audio payload types a client may meet. */
const STATIC_NAMES: Record<number, string> = { 0: "PCMU", 8: "PCMA", 9: "G722", 18: "G729" };

/** The first audio stream of an SDP body, as far as offer/answer needs it. */
export function parseRemoteAudio(sdp: string): RemoteAudio {
  const lines = sdp.split(/\r?\n/).filter((l) => l.length > 1 && l[1] === "=");
  let sessionAddress: string | undefined;
  let sessionDirection: Direction = "sendrecv";
  let audio:
    | { port: number; protocol: string; pts: number[]; address?: string; direction?: Direction }
    | undefined;
  let inMedia = false;
  let inAudio = false;
  const rtpmaps = new Map<number, string>();
  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2).trim();
    if (type === "m") {
      if (audio) break;
      const [media, port, protocol, ...formats] = value.split(/\s+/);
      inMedia = true;
      inAudio = media === "audio";
      if (inAudio) audio = { port: Number(port), protocol: protocol ?? "", pts: formats.map(Number) };
    } else if (type === "c") {
      const address = value.split(/\s+/)[2]?.split("/")[0];
      if (audio && inAudio) audio.address = address;
      else if (!inMedia) sessionAddress = address;
    } else if (type === "a") {
      const direction = DIRECTIONS.has(value) ? (value as Direction) : undefined;
      if (direction && audio && inAudio) audio.direction = direction;
      else if (direction && !inMedia) sessionDirection = direction;
      const rtpmap = /^rtpmap:(\d+)\s+([^/\s]+)/.exec(value);
      if (rtpmap && audio && inAudio) rtpmaps.set(Number(rtpmap[1]), rtpmap[2]!.toUpperCase());
    }
  }
  if (!audio) throw new ClientSdpError("no audio stream (m=audio) in the SDP");
  const address = audio.address ?? sessionAddress;
  if (!address) throw new ClientSdpError("no connection address (c=) for the audio stream");
  const formats = audio.pts.map((pt) => ({
    payloadType: pt,
    encoding: rtpmaps.get(pt) ?? STATIC_NAMES[pt] ?? "",
  }));
  return {
    address,
    port: audio.port,
    protocol: audio.protocol,
    formats,
    telephoneEvent: formats.find((f) => f.encoding === "TELEPHONE-EVENT")?.payloadType ?? null,
    direction: audio.direction ?? sessionDirection,
  };
}

/** The first offered codec the client supports, with the offerer's payload type (RFC 3264 §6.1). */
export function chooseCodec(remote: RemoteAudio): AudioCodec | null {
  for (const f of remote.formats) {
    const codec = CLIENT_CODECS.find((c) => c.name === f.encoding);
    if (codec) return { name: codec.name, payloadType: f.payloadType };
  }
  return null;
}

/** Why an offered stream cannot be answered (G.711 over plain RTP needed), or null when it can. */
export function unacceptable(remote: RemoteAudio): string | null {
  if (remote.port === 0) return "the audio stream is disabled (port 0)";
  if (remote.protocol !== "RTP/AVP") return `media over ${remote.protocol} is not supported (RTP/AVP only)`;
  if (!chooseCodec(remote)) return "no common codec (PCMA or PCMU needed)";
  return null;
}

/** RFC 3264 §6.1: the answer to an offered direction, from the answerer's point of view. */
export function answerDirection(offered: Direction, hold: boolean): Direction {
  const mine: Direction = hold ? "sendonly" : "sendrecv";
  return intersect(mine, reverse(offered));
}

/** What we may do once the remote's direction (from its point of view) is known. */
export function effectiveDirection(ours: Direction, remote: Direction): Direction {
  return intersect(ours, reverse(remote));
}

export function sends(direction: Direction): boolean {
  return direction === "sendrecv" || direction === "sendonly";
}

export interface SdpWriteInput {
  readonly address: string;
  readonly port: number;
  readonly sessionId: string;
  readonly version: number;
  readonly codecs: readonly AudioCodec[];
  readonly telephoneEvent: number | null;
  readonly direction: Direction;
}

export function writeSdp(input: SdpWriteInput): string {
  const pts = [...input.codecs.map((c) => c.payloadType)];
  if (input.telephoneEvent !== null) pts.push(input.telephoneEvent);
  const lines = [
    "v=0",
    `o=- ${input.sessionId} ${input.version} IN IP4 ${input.address}`,
    "s=-",
    `c=IN IP4 ${input.address}`,
    "t=0 0",
    `m=audio ${input.port} RTP/AVP ${pts.join(" ")}`,
    ...input.codecs.map((c) => `a=rtpmap:${c.payloadType} ${c.name}/8000`),
    ...(input.telephoneEvent === null
      ? []
      : [`a=rtpmap:${input.telephoneEvent} telephone-event/8000`, `a=fmtp:${input.telephoneEvent} 0-15`]),
    "a=ptime:20",
    `a=${input.direction}`,
  ];
  return `${lines.join("\r\n")}\r\n`;
}

function reverse(d: Direction): Direction {
  return d === "sendonly" ? "recvonly" : d === "recvonly" ? "sendonly" : d;
}

function intersect(a: Direction, b: Direction): Direction {
  const send = sends(a) && sends(b);
  const recv = (a === "sendrecv" || a === "recvonly") && (b === "sendrecv" || b === "recvonly");
  return send && recv ? "sendrecv" : send ? "sendonly" : recv ? "recvonly" : "inactive";
}
