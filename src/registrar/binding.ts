/** One registered contact of a trunk (RFC 3261 §10.3), tied to the connection it came on. */
export interface Binding {
  readonly trunkId: string;
  readonly tenantId: string;
  /** The AOR user, i.e. the trunk's 10-digit username. */
  readonly aor: string;
  /** Contact URI as sent (inside <>), used to match refreshes. */
  readonly contact: string;
  /** Contact header parameters other than expires (q, +sip.instance, reg-id…). */
  readonly contactParams: Readonly<Record<string, string | null>>;
  readonly callId: string;
  readonly cseq: number;
  readonly registeredAt: number;
  readonly expiresAt: number;
  readonly connectionId: string;
  readonly transport: string;
  readonly remote: { readonly address: string; readonly port: number };
}

export type TrunkStatus = "available" | "unavailable";

/** Published when a trunk gains its first binding or loses its last. */
export interface TrunkStatusEvent {
  readonly trunkId: string;
  readonly tenantId: string;
  readonly status: TrunkStatus;
  /** Why it changed: "registered", "unregistered", "expired", "connection closed: …". */
  readonly reason: string;
  readonly at: number;
}
