import { readFileSync } from "node:fs";

/** Used when /proc/self/limits cannot be read (not Linux): a limit every Unix grants. */
export const FALLBACK_OPEN_FILES = 1024;
/** "unlimited" counts as this many: more connections than one process should hold anyway. */
const UNLIMITED_OPEN_FILES = 1 << 20;
/** Store, log and trace files, stdio, libuv's own descriptors, STUN, webhook and DNS sockets. */
const FIXED_RESERVE = 64;

/**
 * The soft RLIMIT_NOFILE of this process: Node has no getrlimit, so it is read from
 * /proc/self/limits (Node has already raised the soft limit to the hard one at start).
 */
export function openFilesLimit(read: () => string = () => readFileSync("/proc/self/limits", "utf8")): number {
  let text: string;
  try {
    text = read();
  } catch {
    return FALLBACK_OPEN_FILES;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === "unlimited") return UNLIMITED_OPEN_FILES;
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : FALLBACK_OPEN_FILES;
}

/** How many connections each listener may hold so that together they stay under the limit. */
export interface DescriptorBudget {
  readonly openFiles: number;
  /** SIP connections in all: TLS/TCP and WebSocket, including ones still in the handshake. */
  readonly sip: number;
  /** Sockets of the HTTPS (and plain HTTP) listener, WebSocket ones included. */
  readonly https: number;
  /** WebSocket connections: the HTTPS budget minus room kept for the API and probes. */
  readonly webSocket: number;
}

/**
 * Splits the descriptor limit so that no listener can starve another: a fixed reserve, one
 * descriptor per RTP port (at most a quarter of the limit), 1/16 for HTTPS (32 to 1024; a
 * quarter of it never goes to WebSockets, so /healthz and the API answer under a flood),
 * and the rest for SIP. `configuredSip` (--max-connections) may lower the SIP share, never
 * raise it past what the process can open.
 */
export function descriptorBudget(options: {
  readonly openFiles: number;
  readonly rtpPorts: number;
  readonly configuredSip?: number | null;
}): DescriptorBudget {
  const { openFiles } = options;
  const https = clamp(Math.floor(openFiles / 16), 32, 1024);
  const media = Math.min(options.rtpPorts, Math.floor(openFiles / 4));
  const sipRoom = Math.max(8, openFiles - FIXED_RESERVE - media - https);
  return {
    openFiles,
    sip: Math.min(sipRoom, options.configuredSip ?? sipRoom),
    https,
    webSocket: https - Math.max(8, Math.floor(https / 4)),
  };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
