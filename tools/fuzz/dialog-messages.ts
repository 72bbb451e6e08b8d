import type { Rng } from "../lib/rng.js";
import { DOMAIN, header, param, pcmuOffer, type WireMessage } from "../lib/sip-wire.js";

/** A call the emulator answered on a fuzz connection: what in-dialog requests need. */
export interface FuzzDialog {
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly target: string;
  cseq: number;
}

/** The dialog a 2xx to INVITE establishes (RFC 3261 §12.1.2), or undefined for any other message. */
export function dialogOf(message: WireMessage): FuzzDialog | undefined {
  if (message.status < 200 || message.status >= 300 || message.method !== "INVITE") return undefined;
  const contact = header(message.head, "Contact");
  const to = header(message.head, "To");
  if (!param(to, "tag")) return undefined;
  return {
    callId: header(message.head, "Call-ID"),
    from: header(message.head, "From"),
    to,
    target: /<([^>]+)>/.exec(contact)?.[1] ?? `sip:${DOMAIN}`,
    cseq: Number.parseInt(header(message.head, "CSeq"), 10) || 1,
  };
}

/**
 * A request inside `dialog` as the PBX would send it (ACK, BYE, INFO with DTMF, re-INVITE to
 * hold, UPDATE, REFER, CANCEL, OPTIONS), so the fuzzer reaches the dialog and B2BUA layers.
 */
export function inDialogRequest(dialog: FuzzDialog, localPort: number, rng: Rng): Buffer {
  const method = rng.pick(["ACK", "BYE", "INFO", "INVITE", "UPDATE", "REFER", "CANCEL", "OPTIONS"]);
  const cseq = method === "ACK" || method === "CANCEL" ? dialog.cseq : ++dialog.cseq;
  let extra = "";
  let body = "";
  if (method === "INFO") {
    extra = "Content-Type: application/dtmf-relay\r\n";
    body = `Signal=${rng.pick(["1", "5", "#", "*", "A"])}\r\nDuration=160\r\n`;
  } else if (method === "INVITE" || method === "UPDATE") {
    extra = "Content-Type: application/sdp\r\n";
    body = pcmuOffer(40000 + 2 * rng.int(100), rng.int(1e6)).replace(
      "a=sendrecv",
      rng.pick(["a=sendonly", "a=inactive", "a=sendrecv"]),
    );
  } else if (method === "REFER") {
    extra = `Refer-To: <sip:+4930${rng.range(100000, 999999)}@${DOMAIN}>\r\nReferred-By: <sip:pbx@${DOMAIN}>\r\n`;
  }
  const text =
    `${method} ${dialog.target} SIP/2.0\r\n` +
    `Via: SIP/2.0/TLS 127.0.0.1:${localPort};branch=z9hG4bK${rng.hex(6)};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    `From: ${dialog.from}\r\n` +
    `To: ${dialog.to}\r\n` +
    `Call-ID: ${dialog.callId}\r\n` +
    `CSeq: ${cseq} ${method}\r\n` +
    `Contact: <sip:pbx@127.0.0.1:${localPort};transport=tls>\r\n` +
    extra +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return Buffer.from(text, "latin1");
}
