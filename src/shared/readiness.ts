export type ComponentState = "starting" | "up" | "down" | "disabled";

export interface ComponentStatus {
  readonly state: ComponentState;
  readonly detail?: string;
}

/** What /readyz reports: each listener and service of the emulator and its state. */
export class Readiness {
  private readonly components = new Map<string, ComponentStatus>();
  private stopping = false;

  set(name: string, state: ComponentState, detail?: string): void {
    this.components.set(name, detail === undefined ? { state } : { state, detail });
  }

  /** From now on the emulator is shutting down and reports itself not ready. */
  markStopping(): void {
    this.stopping = true;
  }

  get ready(): boolean {
    if (this.stopping || this.components.size === 0) return false;
    for (const c of this.components.values()) if (c.state !== "up" && c.state !== "disabled") return false;
    return true;
  }

  snapshot(): Record<string, ComponentStatus> {
    return Object.fromEntries(this.components);
  }
}
