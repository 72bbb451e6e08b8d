/** The abuse limits one transport enforces (SPEC §4). */
export interface TransportLimits {
  readonly maxMessageSize: number;
  readonly maxHeaders: number;
  readonly maxConnectionsPerSource: number;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  readonly partialMessageTimeoutMs: number;
  /**
   * TLS sockets past their first byte and not yet through the handshake: each holds an
   * OpenSSL object and its buffers (tens of KiB of native memory, which the allocator keeps),
   * so a flood may hold this many at once, the oldest making room. Absent: 1024.
   */
  readonly maxPendingHandshakes?: number;
}

export const DEFAULT_MAX_PENDING_HANDSHAKES = 1024;
