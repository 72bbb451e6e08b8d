import type { SipMessage } from "../sip/message/index.js";
import type { RandomSource } from "./seeded-random.js";

/** What a router's SIP ALG rewrites in messages from the PBX. */
export type AlgField = "contact" | "via" | "sdp";

export const ALG_FIELDS: readonly AlgField[] = ["contact", "via", "sdp"];

/**
 * A router SIP ALG between the PBX and the connector: it puts its public address into the
 * PBX's Contact, top Via and SDP (c=, o=), and with `portPerRefresh` opens a new public port
 * for each REGISTER, so every refresh arrives with another Contact port.
 */
export interface AlgRewriteAction {
  readonly type: "alg-rewrite";
  readonly publicAddress: string;
  /** Default: all of them. */
  readonly rewrite?: readonly AlgField[];
  readonly portPerRefresh?: boolean;
}

/** Ports an ALG hands out for new mappings. */
const PORTS = { min: 1024, max: 65_535 };

/** Rewrites `message` in place as the ALG does; `random` draws the new port of a REGISTER. */
export function algRewrite(message: SipMessage, action: AlgRewriteAction, random: RandomSource): void {
  const fields = new Set(action.rewrite ?? ALG_FIELDS);
  const { publicAddress } = action;
  if (fields.has("contact")) {
    const refresh = action.portPerRefresh && message.kind === "request" && message.method === "REGISTER";
    const port = refresh ? PORTS.min + Math.floor(random() * (PORTS.max - PORTS.min + 1)) : undefined;
    const contacts = message.headers.getAll("Contact");
    if (contacts.length > 0)
      message.headers.set(
        "Contact",
        contacts.map((c) => rewriteContact(c, publicAddress, port)),
      );
  }
  if (fields.has("via") && message.kind === "request") {
    const [top, ...rest] = message.headers.getAll("Via");
    if (top !== undefined) message.headers.set("Via", [rewriteVia(top, publicAddress), ...rest]);
  }
  if (fields.has("sdp") && message.body.length > 0 && isSdp(message.headers.get("Content-Type"))) {
    const body = Buffer.from(rewriteSdp(message.body.toString("utf8"), publicAddress), "utf8");
    message.body = body;
    message.headers.set("Content-Length", String(body.length));
  }
}

/** The host (and, given `port`, the port) of a Contact's URI; `*` stays. */
export function rewriteContact(contact: string, address: string, port?: number): string {
  if (contact.trim() === "*") return contact;
  return contact.replace(
    /(sips?:(?:[^@;>?\s]*@)?)(\[[^\]]*\]|[^:;>?\s]+)(?::(\d+))?/i,
    (_all, scheme: string, _host: string, oldPort: string | undefined) => {
      const p = port ?? oldPort;
      return `${scheme}${address}${p === undefined ? "" : `:${p}`}`;
    },
  );
}

/** The sent-by host of a Via value (the port stays). */
export function rewriteVia(via: string, address: string): string {
  return via.replace(/^(\s*SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z]+\s+)(\[[^\]]*\]|[^:;\s]+)/i, `$1${address}`);
}

/** IPv4 addresses of the c= and o= lines; ports (m=) stay. */
export function rewriteSdp(sdp: string, address: string): string {
  return sdp
    .replace(/^(c=IN IP4 )[^\s/]+/gim, `$1${address}`)
    .replace(/^(o=.* IN IP4 )\S+/gim, `$1${address}`);
}

function isSdp(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*application\/sdp\b/i.test(contentType);
}
