import type { SipSummary } from "./trace-entry.js";

const STATUS_LINE = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i;
const REQUEST_LINE = /^([A-Za-z][A-Za-z0-9.!%*_+`'~-]*)\s+\S+\s+SIP\/2\.0$/i;

/**
 * Start line, Call-ID and CSeq read from a message's text, without the parser: a trace must
 * also summarise what the parser rejects or what a fault corrupted on purpose.
 */
export function summarizeSip(text: string): SipSummary {
  const found = headerFields(text);
  const startLine = found.startLine;
  const ids = {
    ...(found.callId ? { callId: found.callId } : {}),
    ...(found.cseq ? { cseq: found.cseq.replace(/\s+/g, " ") } : {}),
  };
  const status = STATUS_LINE.exec(startLine);
  if (status) return { startLine, status: Number(status[1]), reason: status[2]!.trim(), ...ids };
  const request = REQUEST_LINE.exec(startLine);
  if (request) return { startLine, method: request[1]!, ...ids };
  return { startLine, ...ids };
}

/** One pass over the header lines, up to the empty line; stops once both are found. */
function headerFields(text: string): { startLine: string; callId?: string; cseq?: string } {
  const headEnd = text.indexOf("\r\n\r\n");
  const end = headEnd === -1 ? text.length : headEnd;
  const first = text.indexOf("\n");
  const startLine = text.slice(0, first === -1 || first > end ? end : first).trim();
  let callId: string | undefined;
  let cseq: string | undefined;
  for (
    let pos = first === -1 ? end : first + 1;
    pos < end && (callId === undefined || cseq === undefined);
  ) {
    const next = text.indexOf("\n", pos);
    const lineEnd = next === -1 || next > end ? end : next;
    const colon = text.indexOf(":", pos);
    if (colon !== -1 && colon < lineEnd) {
      const name = text.slice(pos, colon).trim().toLowerCase();
      if (name === "call-id" || name === "i") callId ??= text.slice(colon + 1, lineEnd).trim();
      else if (name === "cseq") cseq ??= text.slice(colon + 1, lineEnd).trim();
    }
    pos = lineEnd + 1;
  }
  return { startLine, ...(callId ? { callId } : {}), ...(cseq ? { cseq } : {}) };
}
