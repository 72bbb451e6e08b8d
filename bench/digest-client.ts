import { createHash } from "node:crypto";
import { BENCH_DOMAIN } from "./bench-trunks.js";
import { REGISTER_URI } from "./sip-wire.js";

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

/** HA2 of RFC 7616 §3.4.3 is the same for every REGISTER of the benchmark. */
const HA2 = md5(`REGISTER:${REGISTER_URI}`);

/** HA1 = MD5(user:realm:password), computed once per trunk as a PBX would. */
export function digestHa1(username: string, password: string): string {
  return md5(`${username}:${BENCH_DOMAIN}:${password}`);
}

/** Authorization for MD5, qop=auth (RFC 7616 §3.4.1): one hash per request given HA1. */
export function digestAuthorization(
  username: string,
  ha1: string,
  nonce: string,
  nc: number,
  cnonce: string,
): string {
  const ncHex = nc.toString(16).padStart(8, "0");
  const response = md5(`${ha1}:${nonce}:${ncHex}:${cnonce}:auth:${HA2}`);
  return `Digest username="${username}", realm="${BENCH_DOMAIN}", nonce="${nonce}", uri="${REGISTER_URI}", response="${response}", algorithm=MD5, qop=auth, nc=${ncHex}, cnonce="${cnonce}"`;
}
