import type { ContactBinding } from "./contact-bindings.js";

/** One registered contact of a trunk (RFC 3261 §10.3), tied to the TLS connection it came on. */
export interface Binding extends ContactBinding {
  readonly trunkId: string;
  readonly tenantId: string;
  /** The AOR user, i.e. the trunk's 10-digit username. */
  readonly aor: string;
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
