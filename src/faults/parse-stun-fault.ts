import { isIP } from "node:net";
import { type ProblemReader, strip } from "../shared/untrusted/index.js";
import { readAction, readDelay } from "./action-fields.js";
import type { StunFaultAction, StunFaultMatch } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";

const ACTIONS = {
  "no-answer": [],
  "wrong-mapped-address": ["address", "port"],
  delay: ["ms", "minMs", "maxMs"],
  nat: ["mapping", "filtering", "publicAddress"],
} as const;

const NAT_BEHAVIOURS = ["endpoint-independent", "address-dependent", "address-and-port-dependent"] as const;

/** What `wrong-mapped-address` reports when the rule names no address (TEST-NET-2, RFC 5737). */
export const DEFAULT_WRONG_MAPPED_ADDRESS = "198.51.100.1";

export function parseStunMatch(r: ProblemReader, raw: unknown, path: FaultPath): StunFaultMatch | undefined {
  if (raw === undefined || raw === null) return {};
  const m = r.mapping(raw, path, ["remoteAddress", "transport"], "a STUN match");
  if (!m) return undefined;
  const remoteAddress = r.string(m, path, "remoteAddress", { max: 64 });
  if (remoteAddress !== undefined && isIP(remoteAddress) === 0)
    r.fail([...path, "remoteAddress"], "must be an IPv4 or IPv6 address");
  return strip({ remoteAddress, transport: r.choice(m, path, "transport", ["udp", "tcp"] as const) });
}

export function parseStunAction(
  r: ProblemReader,
  raw: unknown,
  path: FaultPath,
): StunFaultAction | undefined {
  const read = readAction(r, raw, path, ACTIONS);
  if (!read) return undefined;
  const { type, fields: a } = read;
  switch (type) {
    case "no-answer":
      return { type };
    case "wrong-mapped-address": {
      const address = r.string(a, path, "address", { max: 64 });
      if (address !== undefined && isIP(address) === 0)
        r.fail([...path, "address"], "must be an IPv4 or IPv6 address");
      const port = r.integer(a, path, "port", { min: 1, max: 65535 });
      return strip({ type, address, port });
    }
    case "delay":
      return readDelay(r, a, path);
    case "nat": {
      const mapping = r.choice(a, path, "mapping", NAT_BEHAVIOURS, true);
      const filtering = r.choice(a, path, "filtering", NAT_BEHAVIOURS);
      const publicAddress = r.string(a, path, "publicAddress", { max: 64 });
      if (publicAddress !== undefined && isIP(publicAddress) === 0)
        r.fail([...path, "publicAddress"], "must be an IPv4 or IPv6 address");
      return mapping === undefined ? undefined : strip({ type, mapping, filtering, publicAddress });
    }
  }
}
