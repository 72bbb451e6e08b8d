import { summarizeSip } from "../../../src/traces/sip-summary.js";
import type {
  ConnectionTraceEntry,
  SipTraceEntry,
  TraceEndpoint,
  TraceOwner,
} from "../../../src/traces/trace-entry.js";

export const LOCAL: TraceEndpoint = { address: "127.0.0.1", port: 65061 };
export const PEER: TraceEndpoint = { address: "127.0.0.1", port: 51234 };

export function optionsText(callId: string, body = ""): string {
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: SIP/2.0/TLS 127.0.0.1:${PEER.port};branch=z9hG4bK${callId}`,
    `From: <sip:probe@example.test>;tag=${callId}`,
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

export function okText(callId: string): string {
  return [
    "SIP/2.0 200 OK",
    `Via: SIP/2.0/TLS 127.0.0.1:${PEER.port};branch=z9hG4bK${callId}`,
    `From: <sip:probe@example.test>;tag=${callId}`,
    "To: <sip:phoneapp.unify.com>;tag=srv",
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

let seq = 0;

export function sipEntry(
  direction: "in" | "out",
  message: string,
  extra: Partial<Pick<SipTraceEntry, "connectionId" | "transport" | "local" | "peer" | "at" | "wallAt">> &
    TraceOwner = {},
): SipTraceEntry {
  seq++;
  return {
    seq,
    kind: "sip",
    at: extra.at ?? 1_700_000_000_000 + seq,
    wallAt: extra.wallAt ?? 1_700_000_000_000 + seq,
    direction,
    connectionId: "c1",
    transport: "TLS",
    local: LOCAL,
    peer: PEER,
    size: Buffer.byteLength(message),
    message,
    summary: summarizeSip(message),
    ...extra,
  };
}

export function connectionEntry(
  event: "opened" | "closed",
  extra: Partial<Pick<ConnectionTraceEntry, "connectionId" | "transport" | "reason">> = {},
): ConnectionTraceEntry {
  seq++;
  return {
    seq,
    kind: "connection",
    at: 1_700_000_000_000 + seq,
    wallAt: 1_700_000_000_000 + seq,
    event,
    connectionId: "c1",
    transport: "TLS",
    local: LOCAL,
    peer: PEER,
    ...extra,
  };
}
