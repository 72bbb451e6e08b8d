/** RFC 4566 session description, as parsed: the lines an offer/answer needs, kept in order. */
export interface SdpOrigin {
  username: string;
  /** Numeric strings: RFC 4566 allows values beyond 2^53. */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

export interface SdpConnection {
  netType: string;
  addrType: string;
  /** The address without the multicast TTL / count suffix. */
  address: string;
}

export interface SdpAttribute {
  name: string;
  /** The text after the first colon; null for a property attribute such as `a=sendonly`. */
  value: string | null;
}

export interface SdpMedia {
  type: string;
  port: number;
  portCount: number;
  protocol: string;
  formats: string[];
  connection: SdpConnection | null;
  attributes: SdpAttribute[];
}

export interface SessionDescription {
  origin: SdpOrigin;
  sessionName: string;
  connection: SdpConnection | null;
  attributes: SdpAttribute[];
  media: SdpMedia[];
}

export class SdpParseError extends Error {
  override readonly name = "SdpParseError";
}

/** An `a=rtpmap` entry (RFC 4566 §6): encoding name, clock rate and channels. */
export interface RtpMap {
  encoding: string;
  clockRate: number;
  channels: number;
}

/**
 * Parses an SDP body (RFC 4566 §5). CRLF or LF line ends; blank lines are skipped. Line
 * types the offer/answer model does not use (i, u, e, p, b, t, r, z, k) are accepted and
 * dropped. Throws SdpParseError for a body that is not SDP.
 */
export function parseSdp(text: string): SessionDescription {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines[0] !== "v=0") throw new SdpParseError(`the body must start with "v=0", not "${lines[0] ?? ""}"`);
  let origin: SdpOrigin | null = null;
  let sessionName = "";
  let connection: SdpConnection | null = null;
  const attributes: SdpAttribute[] = [];
  const media: SdpMedia[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const match = /^([a-z])=(.*)$/.exec(line);
    if (!match) throw new SdpParseError(`line ${i + 1} is not <type>=<value>: "${line}"`);
    const [, type, value] = match as unknown as [string, string, string];
    const current = media.at(-1);
    switch (type) {
      case "v":
        throw new SdpParseError(`line ${i + 1}: a second v= line`);
      case "o":
        if (origin || current) throw new SdpParseError(`line ${i + 1}: o= must appear once, before m=`);
        origin = parseOrigin(value, i + 1);
        break;
      case "s":
        if (!current) sessionName = value;
        break;
      case "c":
        if (current) current.connection = parseConnection(value, i + 1);
        else connection = parseConnection(value, i + 1);
        break;
      case "m":
        media.push(parseMedia(value, i + 1));
        break;
      case "a":
        (current ? current.attributes : attributes).push(parseAttribute(value));
        break;
    }
  }
  if (!origin) throw new SdpParseError("no o= line");
  return { origin, sessionName, connection, attributes, media };
}

function fields(value: string): string[] {
  return value.split(" ").filter((f) => f.length > 0);
}

function parseOrigin(value: string, line: number): SdpOrigin {
  const f = fields(value);
  if (f.length !== 6) throw new SdpParseError(`line ${line}: o= needs 6 fields, has ${f.length}`);
  const [username, sessionId, sessionVersion, netType, addrType, address] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^\d+$/.test(sessionId) || !/^\d+$/.test(sessionVersion)) {
    throw new SdpParseError(`line ${line}: o= session id and version must be numeric`);
  }
  return { username, sessionId, sessionVersion, netType, addrType, address };
}

function parseConnection(value: string, line: number): SdpConnection {
  const f = fields(value);
  if (f.length !== 3) throw new SdpParseError(`line ${line}: c= needs 3 fields, has ${f.length}`);
  return { netType: f[0]!, addrType: f[1]!, address: f[2]!.split("/")[0]! };
}

function parseMedia(value: string, line: number): SdpMedia {
  const f = fields(value);
  if (f.length < 4) throw new SdpParseError(`line ${line}: m= needs a media, port, protocol and format`);
  const portMatch = /^(\d{1,5})(?:\/(\d+))?$/.exec(f[1]!);
  const port = Number(portMatch?.[1]);
  if (!portMatch || port > 65535) throw new SdpParseError(`line ${line}: bad m= port "${f[1]}"`);
  return {
    type: f[0]!,
    port,
    portCount: portMatch[2] === undefined ? 1 : Number(portMatch[2]),
    protocol: f[2]!,
    formats: f.slice(3),
    connection: null,
    attributes: [],
  };
}

function parseAttribute(value: string): SdpAttribute {
  const colon = value.indexOf(":");
  return colon < 0
    ? { name: value, value: null }
    : { name: value.slice(0, colon), value: value.slice(colon + 1) };
}

/** The `a=rtpmap` entries of a media description, by payload type. */
export function rtpMaps(media: SdpMedia): Map<string, RtpMap> {
  const maps = new Map<string, RtpMap>();
  for (const attribute of media.attributes) {
    if (attribute.name !== "rtpmap" || attribute.value === null) continue;
    const match = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(attribute.value.trim());
    if (!match) continue;
    maps.set(match[1]!, {
      encoding: match[2]!,
      clockRate: Number(match[3]),
      channels: match[4] === undefined ? 1 : Number(match[4]),
    });
  }
  return maps;
}
