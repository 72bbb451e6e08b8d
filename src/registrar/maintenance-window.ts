import type { Clock, TimerHandle } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";
import { RegisterRejection } from "./register-contacts.js";

/** A planned outage on the emulator clock, epoch ms: `from` inclusive, `until` exclusive. */
export interface MaintenancePeriod {
  readonly from: number;
  readonly until: number;
}

/**
 * A window given as a start (`from`, or `startsInMs` after `now`; default now) and an end
 * (`until`, or `lastsMs` after the start): the form scenarios and the REST API use.
 */
export interface MaintenanceSpec {
  readonly from?: number;
  readonly startsInMs?: number;
  readonly until?: number;
  readonly lastsMs?: number;
}

/** The period a spec names at `now` (emulator clock). */
export function maintenancePeriod(spec: MaintenanceSpec, now: number): MaintenancePeriod {
  const from = spec.from ?? now + (spec.startsInMs ?? 0);
  return { from, until: spec.until ?? from + (spec.lastsMs ?? 0) };
}

export interface MaintenanceEvent {
  readonly type: "maintenance.started" | "maintenance.ended";
  readonly from: number;
  readonly until: number;
  /** Emulator time of the event. */
  readonly at: number;
}

/**
 * The service description's planned outage: while a window is open every REGISTER — PBX
 * trunks and Unify Phone clients alike — is answered `503 Service Unavailable` naming the
 * maintenance, with `Retry-After` = the seconds left (RFC 3261 §21.5.4, §20.33). Bindings
 * made before stay; each registrant learns of the window at its next REGISTER. The start
 * and the end are announced as events (the log), when the emulator clock reaches them.
 */
export class MaintenanceWindow {
  readonly events = new Listeners<MaintenanceEvent>();
  private period: MaintenancePeriod | undefined;
  private timers: TimerHandle[] = [];

  constructor(private readonly clock: Clock) {}

  /** The window set, or undefined. It stays set after it ended (until replaced or cleared). */
  get current(): MaintenancePeriod | undefined {
    return this.period;
  }

  /** Replaces any earlier window; one already open (from ≤ now) is announced at once. */
  set(period: MaintenancePeriod): void {
    if (!(period.until > period.from)) throw new RangeError("a maintenance window must end after it starts");
    this.clear();
    this.period = period;
    const now = this.clock.now();
    if (period.until <= now) return;
    const announce = (type: MaintenanceEvent["type"]) => () => {
      if (this.period === period) this.events.emit({ type, ...period, at: this.clock.now() });
    };
    this.timers = [
      this.clock.setTimer(period.from - now, announce("maintenance.started")),
      this.clock.setTimer(period.until - now, announce("maintenance.ended")),
    ];
  }

  clear(): void {
    for (const timer of this.timers.splice(0)) this.clock.clearTimer(timer);
    this.period = undefined;
  }

  /** True while the emulator clock is inside the window. */
  isOpen(now = this.clock.now()): boolean {
    return this.period !== undefined && this.period.from <= now && now < this.period.until;
  }

  /** The 503 for a REGISTER arriving now, or undefined outside the window. */
  refusal(): RegisterRejection | undefined {
    const now = this.clock.now();
    if (!this.period || !this.isOpen(now)) return undefined;
    const seconds = Math.max(1, Math.ceil((this.period.until - now) / 1000));
    const until = new Date(this.period.until).toISOString();
    return new RegisterRejection(503, `Service Unavailable: planned maintenance until ${until}`, {
      "retry-after": String(seconds),
    });
  }
}
