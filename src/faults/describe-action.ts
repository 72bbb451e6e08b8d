import type { FaultAction } from "./fault-rule.js";

/** A few words for a hit event: "respond 503 Retry-After 30", "delay 200–800 ms", "drop 30%". */
export function describeAction(action: FaultAction): string {
  switch (action.type) {
    case "respond": {
      const extra = action.retryAfter === undefined ? "" : ` Retry-After ${action.retryAfter}`;
      return `respond ${action.status}${extra}`;
    }
    case "delay":
      if ("jitterMs" in action && action.jitterMs !== undefined)
        return `delay ${action.ms} ms ± ${action.jitterMs} ms`;
      if ("minMs" in action && action.ms === undefined) return `delay ${action.minMs}–${action.maxMs} ms`;
      return `delay ${action.ms} ms`;
    case "drop":
      return "percent" in action ? `drop ${action.percent}%` : "drop";
    case "corrupt":
      return `corrupt (${action.mode ?? "start-line"})`;
    case "modify": {
      const parts = [
        ...(action.removeHeader ? [`remove ${action.removeHeader}`] : []),
        ...(action.setHeader ? [`set ${action.setHeader.name}`] : []),
      ];
      return `modify: ${parts.join(", ")}`;
    }
    case "alg-rewrite":
      return `ALG rewrite to ${action.publicAddress}${action.portPerRefresh ? ", new port per REGISTER" : ""}`;
    case "wrong-host-certificate":
      return `certificate for ${action.host ?? "wrong-host.invalid"}`;
    case "limit-version":
      return `TLS ${action.minVersion ?? "…"}–${action.maxVersion ?? "…"}`;
    case "stop":
      return `stop ${action.direction === "send" ? "sending" : "receiving"} RTP`;
    case "ssrc":
      return `change SSRC${action.ssrc === undefined ? "" : ` to ${action.ssrc}`}`;
    case "error":
      return `answer CSTAErrorCode ${action.category} ${action.value}`;
    case "session-refuse":
      return `refuse the CSTA session (${action.status ?? 403})`;
    case "no-response":
      return "no CSTA response";
    default:
      return action.type.replaceAll("-", " ");
  }
}
