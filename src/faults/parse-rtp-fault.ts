import { type ProblemReader, strip } from "../shared/untrusted/index.js";
import { readAction } from "./action-fields.js";
import type { RtpFaultAction, RtpFaultMatch } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";

const ACTIONS = {
  drop: ["percent"],
  delay: ["ms", "jitterMs"],
  stop: ["direction"],
  ssrc: ["ssrc"],
} as const;

export function parseRtpMatch(r: ProblemReader, raw: unknown, path: FaultPath): RtpFaultMatch | undefined {
  if (raw === undefined || raw === null) return {};
  const m = r.mapping(raw, path, ["direction", "callId", "tenant", "trunk"], "an RTP match");
  if (!m) return undefined;
  return strip({
    direction: r.choice(m, path, "direction", ["in", "out"] as const),
    callId: r.string(m, path, "callId", { max: 200 }),
    tenant: r.string(m, path, "tenant", { max: 200 }),
    trunk: r.string(m, path, "trunk", { max: 200 }),
  });
}

export function parseRtpAction(
  r: ProblemReader,
  raw: unknown,
  path: FaultPath,
  match: RtpFaultMatch | undefined,
): RtpFaultAction | undefined {
  const read = readAction(r, raw, path, ACTIONS);
  if (!read) return undefined;
  const { type, fields: a } = read;
  switch (type) {
    case "drop": {
      const percent = r.number(a, path, "percent", { min: 0, max: 100, required: true });
      return percent === undefined ? undefined : { type, percent };
    }
    case "delay": {
      const ms = r.integer(a, path, "ms", { min: 0, max: 10_000, required: true });
      const jitterMs = r.integer(a, path, "jitterMs", { min: 0, max: 10_000 });
      return ms === undefined ? undefined : strip({ type, ms, jitterMs });
    }
    case "stop": {
      const direction = r.choice(a, path, "direction", ["send", "receive"] as const, true);
      const implied = direction === "send" ? "out" : "in";
      if (direction && match?.direction !== undefined && match.direction !== implied)
        r.fail(path, `stop ${direction} acts on direction ${implied}; remove match.direction`);
      return direction === undefined ? undefined : { type, direction };
    }
    case "ssrc": {
      if (match?.direction === "in") r.fail(path, "ssrc changes what we send: use direction out");
      const ssrc = r.integer(a, path, "ssrc", { min: 0, max: 0xffff_ffff });
      return strip({ type, ssrc });
    }
  }
}
