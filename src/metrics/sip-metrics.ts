import { Counter, type Registry } from "prom-client";
import type { Listeners } from "../shared/listeners.js";
import type { SipMessage, SipResponse } from "../sip/message/index.js";
import type { TransactionCounts } from "../sip/transaction/index.js";
import type { SipTrafficTap, TransportEvent } from "../sip/transport/index.js";
import { collectedCounter, Tally } from "./collected.js";
import { known } from "./label-cap.js";
import { METHOD_ORDER, SIP_METHODS, summarizeSip } from "./sip-start-line.js";
import { tlsFailureReason } from "./tls-failure-reason.js";

export interface SipSources {
  readonly transactions: { readonly counts: Readonly<TransactionCounts> };
  readonly transportEvents: Pick<Listeners<TransportEvent>, "on">;
}

/**
 * SIP traffic, transactions and TLS handshakes. Returns the tap to put on the transport:
 * it counts every message in and out (by the parsed message the transport hands over, else
 * by its bytes), and each finished TLS handshake.
 */
export function sipMetrics(registry: Registry, sources: SipSources): SipTrafficTap {
  const requests = new Tally();
  const responses = new Tally();
  let handshakes = 0;
  collectedCounter(registry, {
    name: "upe_sip_requests_total",
    help: "SIP requests received (in) and sent (out) on every transport, retransmissions included",
    labelNames: ["direction", "method"],
    read: () => requests.samples(),
  });
  collectedCounter(registry, {
    name: "upe_sip_responses_total",
    help: "SIP responses received (in) and sent (out), by status class and the method of their CSeq",
    labelNames: ["direction", "method", "status_class"],
    read: () => responses.samples(),
  });
  const { counts } = sources.transactions;
  collectedCounter(registry, {
    name: "upe_sip_transactions_total",
    help: "SIP transactions created (RFC 3261 §17): server for requests received, client for requests sent",
    labelNames: ["role"],
    read: () => [
      [["server"], counts.server],
      [["client"], counts.client],
    ],
  });
  collectedCounter(registry, {
    name: "upe_sip_retransmissions_total",
    help: "SIP retransmissions: out = resent by us on timers A, E, G; in = request retransmissions a peer sent that matched a live transaction",
    labelNames: ["direction"],
    read: () => [
      [["out"], counts.retransmitted],
      [["in"], counts.absorbed],
    ],
  });
  collectedCounter(registry, {
    name: "upe_tls_handshakes_total",
    help: "TLS handshakes completed on the SIP over TLS listener",
    read: () => [[[], handshakes]],
  });
  const failures = new Counter({
    name: "upe_tls_handshake_failures_total",
    help: "TLS handshakes on the SIP listener that failed or did not finish in time, by reason",
    labelNames: ["reason"],
    registers: [registry],
  });
  sources.transportEvents.on((event) => {
    if (event.type === "tls-error") failures.inc({ reason: tlsFailureReason(event.message) });
  });

  // Runs for every message: the message's cached fields, no scan of the bytes.
  const count = (direction: "in" | "out", bytes: Buffer, message: SipMessage | undefined) => {
    if (message?.kind === "request") return requests.add(direction, known(SIP_METHODS, message.method));
    if (message) {
      const statusClass = STATUS_CLASSES[Math.floor(message.status / 100)];
      const method = statusClass && cseqMethod(message);
      if (statusClass && method) return responses.add(direction, method, statusClass);
    }
    // No message (bytes that did not parse, a corrupted send), or a CSeq out of the common.
    const summary = summarizeSip(bytes);
    if (summary?.kind === "request") requests.add(direction, summary.method);
    else if (summary) responses.add(direction, summary.method, summary.statusClass);
  };
  return {
    received: (bytes, _connection, message) => count("in", bytes, message),
    sent: (bytes, _connection, message) => count("out", bytes, message),
    opened: (connection) => {
      if (connection.protocol === "TLS") handshakes++;
    },
  };
}

/** Status class labels by the status's first digit, as `summarizeSip` reads them. */
const STATUS_CLASSES: readonly (string | undefined)[] = [undefined, "1xx", "2xx", "3xx", "4xx", "5xx", "6xx"];

/**
 * A response's CSeq method as `summarizeSip` would label it, read from the header text
 * without parsing or allocating: `1*DIGIT LWS Method`, the method one we count by name.
 * Anything else (lower case, an unknown method, odd spacing) is undefined: the caller then
 * reads the bytes, which handles every case the same as before.
 */
function cseqMethod(response: SipResponse): string | undefined {
  // The name in lower case: Headers looks names up in lower case, and this one needs no copy.
  const value = response.headers.get("cseq");
  if (value === undefined) return undefined;
  let i = 0;
  while (isSpace(value.charCodeAt(i))) i++;
  const digits = i;
  while (isDigit(value.charCodeAt(i))) i++;
  const spaces = i;
  while (isSpace(value.charCodeAt(i))) i++;
  if (digits === spaces || i === spaces) return undefined;
  const length = value.length - i;
  for (const method of METHOD_ORDER)
    if (method.length === length && value.startsWith(method, i)) return method;
  return undefined;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
