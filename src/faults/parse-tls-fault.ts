import { isIP } from "node:net";
import { type ProblemReader, strip } from "../shared/untrusted/index.js";
import { readAction } from "./action-fields.js";
import { TLS_VERSIONS, type TlsFaultAction, type TlsFaultMatch } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";

const ACTIONS = {
  refuse: [],
  stall: [],
  "expired-certificate": [],
  "wrong-host-certificate": ["host"],
  "untrusted-certificate": [],
  "limit-version": ["minVersion", "maxVersion"],
} as const;

const HOST = /^[A-Za-z0-9.-]+$/;

export function parseTlsMatch(r: ProblemReader, raw: unknown, path: FaultPath): TlsFaultMatch | undefined {
  if (raw === undefined || raw === null) return {};
  const m = r.mapping(raw, path, ["remoteAddress"], "a TLS match");
  if (!m) return undefined;
  const remoteAddress = r.string(m, path, "remoteAddress", { max: 64 });
  if (remoteAddress !== undefined && isIP(remoteAddress) === 0)
    r.fail([...path, "remoteAddress"], "must be an IPv4 or IPv6 address");
  return strip({ remoteAddress });
}

export function parseTlsAction(r: ProblemReader, raw: unknown, path: FaultPath): TlsFaultAction | undefined {
  const read = readAction(r, raw, path, ACTIONS);
  if (!read) return undefined;
  const { type, fields: a } = read;
  switch (type) {
    case "wrong-host-certificate": {
      const host = r.string(a, path, "host", { max: 253 });
      if (host !== undefined && !HOST.test(host)) r.fail([...path, "host"], "must be a DNS name");
      return strip({ type, host });
    }
    case "limit-version": {
      const minVersion = r.choice(a, path, "minVersion", TLS_VERSIONS);
      const maxVersion = r.choice(a, path, "maxVersion", TLS_VERSIONS);
      if (minVersion === undefined && maxVersion === undefined) {
        if (a.minVersion === undefined && a.maxVersion === undefined)
          r.fail(path, 'limit-version needs minVersion, maxVersion or both (e.g. maxVersion: "TLSv1.2")');
        return undefined;
      }
      if (minVersion && maxVersion && TLS_VERSIONS.indexOf(minVersion) > TLS_VERSIONS.indexOf(maxVersion))
        r.fail([...path, "maxVersion"], "must not be older than minVersion");
      return strip({ type, minVersion, maxVersion });
    }
    default:
      return { type };
  }
}
