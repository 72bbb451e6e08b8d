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
    (needRport || topVia.host.replace(/^\[|\]$/g, "") !== connection.remoteAddress);
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
    via = via.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${connection.remotePort}`);
    topVia.rport = connection.remotePort;
    topVia.params.rport = String(connection.remotePort);
  }
  request.replaceTopVia(via, topVia);
}
