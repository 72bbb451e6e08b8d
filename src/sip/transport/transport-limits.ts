/** The abuse limits one transport enforces (SPEC §4). */
export interface TransportLimits {
  readonly maxMessageSize: number;
  readonly maxHeaders: number;
  readonly maxConnectionsPerSource: number;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  readonly partialMessageTimeoutMs: number;
}
