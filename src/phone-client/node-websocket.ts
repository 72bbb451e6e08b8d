import { WebSocket } from "ws";

/** CAs to trust, by the WebSocket URL they are for. */
const caByUrl = new Map<string, string>();

/**
 * sip.js opens its transport with the browser API, `new WebSocket(url, "sip")`, on the
 * global. Node 20 has none, so the clients install `ws`'s with one addition: a URL
 * registered with `trustCa` is opened trusting that CA, as the emulator's certificate is
 * signed by its own.
 */
class CaTrustingWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    const ca = caByUrl.get(String(url));
    super(url, protocols, ca ? { ca } : {});
  }
}

/** Make `new WebSocket(url)` trust `ca` (PEM) for this URL. */
export function trustCa(url: string, ca: string): void {
  caByUrl.set(url, ca);
}

/** Put the CA-aware WebSocket on `globalThis`, where sip.js looks for it. */
export function installWebSocket(): void {
  (globalThis as { WebSocket?: unknown }).WebSocket = CaTrustingWebSocket;
}
