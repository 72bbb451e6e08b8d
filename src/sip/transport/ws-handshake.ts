import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** RFC 7118 §4: the only subprotocol a SIP WebSocket server speaks. */
export const SIP_SUBPROTOCOL = "sip";

export type UpgradeCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly status: number;
      readonly reason: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

/**
 * What a SIP WebSocket upgrade must carry (RFC 6455 §4.2.1, RFC 7118 §4), checked before
 * `ws` completes the handshake so a refusal says why: a GET with `Upgrade: websocket`, a
 * 16-byte key, version 13 (else 426 naming it) and the `sip` subprotocol (else 400).
 */
export function checkUpgrade(request: IncomingMessage): UpgradeCheck {
  const h = request.headers;
  if (request.method !== "GET") return { ok: false, status: 400, reason: "WebSocket upgrade needs GET" };
  if (h.upgrade?.toLowerCase() !== "websocket")
    return { ok: false, status: 400, reason: "Upgrade must be websocket" };
  if (!tokens(h.connection).some((t) => t.toLowerCase() === "upgrade"))
    return { ok: false, status: 400, reason: "Connection must include Upgrade" };
  if (h["sec-websocket-version"] !== "13") {
    return {
      ok: false,
      status: 426,
      reason: "Sec-WebSocket-Version 13 required",
      headers: { "Sec-WebSocket-Version": "13" },
    };
  }
  const key = h["sec-websocket-key"]?.trim() ?? "";
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key))
    return { ok: false, status: 400, reason: "Sec-WebSocket-Key must be 16 bytes in base64" };
  // Subprotocol names compare exactly (RFC 6455 §4.1).
  if (!tokens(h["sec-websocket-protocol"]).includes(SIP_SUBPROTOCOL))
    return { ok: false, status: 400, reason: 'the WebSocket subprotocol "sip" is required (RFC 7118)' };
  return { ok: true };
}

/** Refuse an upgrade with a plain-text HTTP error and close the socket. */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = `${reason}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "",
    body,
  ];
  socket.end(lines.join("\r\n"));
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  426: "Upgrade Required",
  503: "Service Unavailable",
};

/** Comma-separated header tokens (Connection, Sec-WebSocket-Protocol). */
function tokens(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
