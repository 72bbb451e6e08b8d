import { Agent, WebSocket } from "undici";

/** Dispatchers that trust a given CA, by the WebSocket URL they serve. */
const trustedByUrl = new Map<string, Agent>();
const agentsByCa = new Map<string, Agent>();

/**
 * sip.js opens its transport with the browser API, `new WebSocket(url, "sip")`, on the
 * global. Node 20 has none, so the clients install undici's (already a dependency) with a
 * twist: a `wss:` URL registered with `trustCa` gets a dispatcher that trusts that CA,
 * as the emulator's certificate is signed by its own.
 */
class CaTrustingWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    const dispatcher = trustedByUrl.get(String(url));
    super(url, dispatcher ? { protocols: protocols ?? [], dispatcher } : protocols);
  }
}

/** Make `new WebSocket(url)` trust `ca` for this URL (PEM); idempotent. */
export function trustCa(url: string, ca: string): void {
  let agent = agentsByCa.get(ca);
  if (!agent) {
    agent = new Agent({ connect: { ca } });
    agentsByCa.set(ca, agent);
  }
  trustedByUrl.set(url, agent);
}

/** Put the CA-aware WebSocket on `globalThis`, where sip.js looks for it. */
export function installWebSocket(): void {
  (globalThis as { WebSocket?: unknown }).WebSocket = CaTrustingWebSocket;
}
