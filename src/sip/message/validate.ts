import { headerEntries } from "./headers.js";
import { firstElement } from "./list-split.js";
import type { SipMessage } from "./message.js";
import { type ParsedFields, seedFields } from "./message.js";
import { KNOWN_METHODS } from "./methods.js";
import { parseCSeq, parseMaxForwards } from "./scalar-fields.js";
import { parseNameAddrShared } from "./shared-parse.js";
import { badRequest, SipParseError } from "./sip-parse-error.js";
import { parseVia } from "./via.js";

function within<T>(message: SipMessage, header: string, parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    throw new SipParseError(error.status, `${error.reason} in ${header} header`, error.code, message);
  }
}

/**
 * Parse-time rules that let the transport answer 400/505 before anything else runs: exactly
 * one Call-ID/From/To/CSeq (RFC 3261 §8.1.1, RFC 4475 §3.3.8), at most one Max-Forwards,
 * a Via, a CSeq number below 2^31 whose method matches a known request method, a parseable
 * top Via, From and To. The values parsed here are cached on the message.
 */
export function validateMessage(message: SipMessage, otherVersion: boolean): void {
  let callId: string | undefined;
  let from: string | undefined;
  let to: string | undefined;
  let cseqText: string | undefined;
  let hops: string | undefined;
  let via: string | undefined;
  let duplicate: string | undefined;
  for (const entry of headerEntries(message.headers)) {
    switch (entry.key) {
      case "via":
        if (!via) via = firstElement(entry.value);
        break;
      case "call-id":
        if (callId !== undefined) duplicate ??= "Call-ID";
        callId = entry.value;
        break;
      case "from":
        if (from !== undefined) duplicate ??= "From";
        from = entry.value;
        break;
      case "to":
        if (to !== undefined) duplicate ??= "To";
        to = entry.value;
        break;
      case "cseq":
        if (cseqText !== undefined) duplicate ??= "CSeq";
        cseqText = entry.value;
        break;
      case "max-forwards":
        if (hops !== undefined) duplicate ??= "Max-Forwards";
        hops = entry.value;
        break;
    }
  }
  const missing =
    callId === undefined
      ? "Call-ID"
      : from === undefined
        ? "From"
        : to === undefined
          ? "To"
          : cseqText === undefined
            ? "CSeq"
            : !via
              ? "Via"
              : undefined;
  if (missing) throw badRequest(`missing ${missing} header`, "SIP_ERR_MISSING_HEADER", message);
  if (duplicate) throw badRequest(`more than one ${duplicate} header`, "SIP_ERR_DUPLICATE_HEADER", message);
  if (!isCallId(callId!)) throw badRequest("malformed Call-ID", "SIP_ERR_CALL_ID", message);
  const cseq = within(message, "CSeq", parseCSeq, cseqText!);
  const fields: ParsedFields = { callId: callId!, cseq };
  if (message.kind === "request") {
    if (cseq.method !== message.method && KNOWN_METHODS.has(message.method)) {
      throw badRequest("CSeq method does not match request method", "SIP_ERR_CSEQ_MISMATCH", message);
    }
    fields.maxForwards = hops === undefined ? null : within(message, "Max-Forwards", parseMaxForwards, hops);
  }
  fields.topVia = within(message, "Via", parseVia, via!);
  fields.from = within(message, "From", parseNameAddrShared, from!);
  fields.to = within(message, "To", parseNameAddrShared, to!);
  if (otherVersion) throw new SipParseError(505, "Version Not Supported", "SIP_ERR_VERSION", message);
  seedFields(message, fields);
}

/** Call-ID = word ["@" word]; only whitespace, controls and non-ASCII are refused here. */
function isCallId(value: string): boolean {
  if (value === "") return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}
