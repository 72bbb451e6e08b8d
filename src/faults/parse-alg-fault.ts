import { isIPv4 } from "node:net";
import type { Fields, ProblemReader } from "../shared/untrusted/index.js";
import { ALG_FIELDS, type AlgField, type AlgRewriteAction } from "./alg-rewrite.js";
import type { SipFaultMatch } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";

/** The fields of `{type: alg-rewrite}`, for the SIP action table. */
export const ALG_REWRITE_KEYS = ["publicAddress", "rewrite", "portPerRefresh"] as const;

/** `{type: alg-rewrite, publicAddress, rewrite?: [contact, via, sdp], portPerRefresh?}` on sip.in. */
export function parseAlgRewrite(
  r: ProblemReader,
  a: Fields,
  path: FaultPath,
  match: SipFaultMatch | undefined,
): AlgRewriteAction | undefined {
  // An ALG sits in front of the PBX: it rewrites what arrives from it, never what we send.
  if (match?.direction !== "in") r.fail(path, "alg-rewrite rewrites what the PBX sends: use direction in");
  const publicAddress = r.string(a, path, "publicAddress", { required: true, max: 15 });
  if (publicAddress !== undefined && !isIPv4(publicAddress))
    r.fail([...path, "publicAddress"], "must be an IPv4 address, e.g. 127.0.0.2");
  let rewrite: AlgField[] | undefined;
  if (a.rewrite !== undefined && a.rewrite !== null) {
    const list = Array.isArray(a.rewrite) ? a.rewrite : [];
    if (list.length === 0 || list.some((f) => !ALG_FIELDS.includes(f as AlgField)))
      r.fail([...path, "rewrite"], `must be a non-empty list of ${ALG_FIELDS.join(", ")}`);
    else rewrite = [...new Set(list as AlgField[])];
  }
  const portPerRefresh = r.boolean(a, path, "portPerRefresh");
  if (publicAddress === undefined || !isIPv4(publicAddress)) return undefined;
  return {
    type: "alg-rewrite",
    publicAddress,
    ...(rewrite === undefined ? {} : { rewrite }),
    ...(portPerRefresh === undefined ? {} : { portPerRefresh }),
  };
}
