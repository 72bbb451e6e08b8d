import type { Binding } from "../registrar/index.js";

/** What services may know of live registrations: read them, or drop a trunk's. */
export interface RegistrationView {
  bindingsFor(trunkId: string): readonly Binding[];
  dropTrunk(trunkId: string, reason: string): void;
}
