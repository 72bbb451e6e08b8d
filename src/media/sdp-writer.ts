import { isIPv6 } from "node:net";
import { type CodecName, RTP_CLOCK_RATE } from "./codecs.js";
import type { Direction } from "./media-types.js";
import type { SdpMedia } from "./session-description.js";

export interface AudioSection {
  port: number;
  codecs: readonly { readonly name: CodecName; readonly payloadType: number }[];
  telephoneEvent: number | null;
  direction: Direction;
  /** `a=rtcp-mux` (RFC 5761): we offer it, and answer it only when offered. */
  rtcpMux: boolean;
}

function addressType(host: string): string {
  return isIPv6(host) ? "IP6" : "IP4";
}

/**
 * Our m=audio section: RTP/AVP, the codecs in order, telephone-event 0-15, 20 ms packets.
 * No `a=rtcp:`: our RTCP port is always the RTP port + 1, the RFC 3550 default.
 */
export function audioSection(section: AudioSection): string[] {
  const formats = section.codecs.map((c) => c.payloadType);
  if (section.telephoneEvent !== null) formats.push(section.telephoneEvent);
  const lines = [`m=audio ${section.port} RTP/AVP ${formats.join(" ")}`];
  for (const codec of section.codecs)
    lines.push(`a=rtpmap:${codec.payloadType} ${codec.name}/${RTP_CLOCK_RATE}`);
  if (section.telephoneEvent !== null) {
    lines.push(`a=rtpmap:${section.telephoneEvent} telephone-event/${RTP_CLOCK_RATE}`);
    lines.push(`a=fmtp:${section.telephoneEvent} 0-15`);
  }
  lines.push("a=ptime:20");
  if (section.rtcpMux) lines.push("a=rtcp-mux");
  lines.push(`a=${section.direction}`);
  return lines;
}

/** An offered stream we decline: same media, protocol and formats, port 0 (RFC 3264 §6). */
export function rejectedSection(media: SdpMedia): string[] {
  return [`m=${media.type} 0 ${media.protocol} ${media.formats.join(" ")}`];
}

/** A complete description from our host; the sections follow the session-level lines. */
export function formatSdp(options: {
  sessionId: string;
  version: number;
  host: string;
  sections: string[][];
}): string {
  const type = addressType(options.host);
  const lines = [
    "v=0",
    `o=- ${options.sessionId} ${options.version} IN ${type} ${options.host}`,
    "s=-",
    `c=IN ${type} ${options.host}`,
    "t=0 0",
    ...options.sections.flat(),
  ];
  return `${lines.join("\r\n")}\r\n`;
}
