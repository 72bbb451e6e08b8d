import type { SipTraceEntry, TraceEndpoint, TraceEntry, TraceOwner } from "./trace-entry.js";

const INDENT = "        │ ";

/**
 * A readable ladder: one line per entry (emulator time, connection, arrow between the
 * PBX and the connector), each SIP message indented below its arrow.
 */
export function formatLadder(entries: readonly TraceEntry[]): string {
  const lines = [`# unify-phone-emulator trace: ${entries.length} entries, emulator clock (UTC)`];
  for (const e of entries) {
    const time = new Date(e.at).toISOString();
    switch (e.kind) {
      case "sip":
        lines.push(`${time}  ${e.connectionId}  ${arrow(e)}  ${e.transport}${owner(e)}`);
        for (const line of messageLines(e.message)) lines.push(`${INDENT}${line}`);
        break;
      case "connection":
        lines.push(
          `${time}  ${e.connectionId}  ${e.transport} connection ${e.event}: PBX ${hostPort(e.peer)} — connector ${hostPort(e.local)}${e.reason ? ` (${e.reason})` : ""}${owner(e)}`,
        );
        break;
      case "http":
        lines.push(
          `${time}  http  ${e.method} ${e.path} → ${e.status}  ${e.latencyMs.toFixed(1)} ms  ${e.requestId}${e.tenantId ? `  tenant ${e.tenantId}` : ""}`,
        );
        break;
      case "call":
        lines.push(`${time}  call  ${e.callId} ${e.type}${e.detail ? `: ${e.detail}` : ""}${owner(e)}`);
        break;
      case "fault":
        lines.push(
          `${time}  fault ${e.faultId} at ${e.point}: ${e.action}${e.detail ? ` — ${e.detail}` : ""}${e.connectionId ? `  ${e.connectionId}` : ""}${e.callId ? `  call ${e.callId}` : ""}`,
        );
        break;
      case "csta":
        lines.push(
          `${time}  csta  ${e.direction === "in" ? "PBX ──▶ connector" : "PBX ◀── connector"} ${e.type}${owner(e)}`,
        );
        lines.push(...e.message.split("\n").map((line) => `      ${line}`));
        break;
      case "unmatched":
        lines.push(
          `${time}  unmatched ${e.unmatchedId} ${e.protocol} ${e.method} ${e.target} → ${e.status} (${e.answeredBy})${owner(e)}`,
        );
        break;
    }
  }
  return `${lines.join("\n")}\n`;
}

function arrow(e: SipTraceEntry): string {
  const label =
    e.summary.status === undefined
      ? (e.summary.method ?? "?")
      : `${e.summary.status} ${e.summary.reason ?? ""}`.trim();
  const pbx = `PBX ${hostPort(e.peer)}`;
  const connector = `connector ${hostPort(e.local)}`;
  return e.direction === "in" ? `${pbx} ──${label}──▶ ${connector}` : `${pbx} ◀──${label}── ${connector}`;
}

function owner(o: TraceOwner): string {
  const trunk = o.trunkName ?? o.trunkId;
  if (trunk === undefined && o.tenantId === undefined) return "";
  return `  [${[o.tenantId && `tenant ${o.tenantId}`, trunk && `trunk ${trunk}`].filter(Boolean).join(", ")}]`;
}

function hostPort(p: TraceEndpoint): string {
  return p.address.includes(":") ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}

/** The message's lines without the trailing empty line(s) of a message without body. */
function messageLines(message: string): string[] {
  return message.replace(/(\r?\n)+$/, "").split(/\r?\n/);
}
