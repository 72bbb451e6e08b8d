import type { Clock } from "../shared/clock.js";
import type { Listeners } from "../shared/listeners.js";
import type { Binding, TrunkStatusEvent } from "./binding.js";
import { ContactBindings } from "./contact-bindings.js";

/** The location service of trunks: a trunk is available while it has a binding. */
export class BindingTable extends ContactBindings<Binding> {
  constructor(
    clock: Clock,
    private readonly events: Listeners<TrunkStatusEvent>,
  ) {
    super(clock);
  }

  forTrunk(trunkId: string): Binding[] {
    return this.forOwner(trunkId);
  }

  /** Trunks registered through this connection (an INVITE on it comes from them). */
  trunksOnConnection(connectionId: string): string[] {
    return this.ownersOnConnection(connectionId);
  }

  /** Trunks with at least one binding. */
  get trunkCount(): number {
    return this.ownerCount;
  }

  removeTrunk(trunkId: string, reason: string): void {
    this.removeOwner(trunkId, reason);
  }

  protected ownerOf(binding: Binding): string {
    return binding.trunkId;
  }

  protected ownerChanged({ trunkId, tenantId }: Binding, present: boolean, reason: string): void {
    const status = present ? "available" : "unavailable";
    this.events.emit({ trunkId, tenantId, status, reason, at: this.clock.now() });
  }
}
