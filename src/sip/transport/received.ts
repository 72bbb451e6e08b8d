import type { SipRequest } from "../message/index.js";
import type { SipConnection } from "./connection.js";

const RECEIVED = /;\s*received\s*=\s*[^;\s]*/i;

/**
 * RFC 3261 §18.2.1 and RFC 3581: note where a request really came from in its top Via
 * (`received`, and `rport` when the client asked), so responses and later requests
 * find a PBX behind NAT. With `rport` asked for, `received` is added even when the sent-by
 * host is the source address (RFC 3581 §4). Works on the raw value to avoid re-serialising
 * the Via.
 */
export function markReceived(request: SipRequest, connection: SipConnection): void {
  const raw = request.headers.get("via");
  if (raw === undefined) return;
  let via: ReturnType<typeof request.headers.get> = raw;
  let topVia: SipRequest["topVia"];
  try {
    topVia = request.topVia;
  } catch {
    return;
  }
  const needRport = topVia.rport === null;
  const needReceived =
    topVia.received !== connection.remoteAddress &&
    (needRport || unbracketed(topVia.host) !== connection.remoteAddress);
  if (!needReceived && !needRport) return;
  // The parsed top Via is updated in place to read as parseVia would read the new text, so
  // nothing parses it again (a copy made by spreading cost more than the rest of this function).
  if (needReceived) {
    // A received the client wrote itself is replaced by what we saw, not repeated.
    const stamp = `;received=${connection.remoteAddress}`;
    via = topVia.received === undefined ? `${via}${stamp}` : via.replace(RECEIVED, stamp);
    topVia.received = connection.remoteAddress;
    topVia.params.received = connection.remoteAddress;
  }
  if (needRport) {
    via = stampRport(via, connection.remotePort);
    topVia.rport = connection.remotePort;
    topVia.params.rport = String(connection.remotePort);
  }
  request.replaceTopVia(via, topVia);
}

/** "[::1]" → "::1"; anything else as it is. */
function unbracketed(host: string): string {
  return host.charCodeAt(0) === 0x5b && host.endsWith("]") ? host.slice(1, -1) : host;
}

const RPORT = /;\s*rport(?=\s*(;|$))/i;

/** `;rport` → `;rport=<port>`; the plain spelling without a regular expression (every PBX request). */
function stampRport(via: string, port: number): string {
  const at = via.indexOf(";rport");
  const after = via.charCodeAt(at + 6);
  if (at !== -1 && (Number.isNaN(after) || after === 0x3b) && via.indexOf(";rport", at + 6) === -1)
    return `${via.slice(0, at)};rport=${port}${via.slice(at + 6)}`;
  return via.replace(RPORT, `;rport=${port}`);
}
