import { ApiError } from "../errors/index.js";
import { type MaintenanceSpec, type MaintenanceWindow, maintenancePeriod } from "../registrar/index.js";
import type { Clock } from "../shared/clock.js";
import { parseDuration } from "../shared/duration.js";
import type { Mutable } from "../shared/mutable.js";

export interface MaintenanceState {
  /** The window set (it stays set after it ended, until replaced or cleared), epoch ms. */
  readonly window: { readonly from: number; readonly until: number } | null;
  /** REGISTERs are refused now. */
  readonly open: boolean;
  /** The Retry-After a REGISTER would get now, seconds; null outside the window. */
  readonly retryAfter: number | null;
}

/** The registrar's maintenance window as the admin API sees it (scenarios set it too). */
export class MaintenanceService {
  constructor(
    private readonly window: MaintenanceWindow,
    private readonly clock: Clock,
  ) {}

  state(): MaintenanceState {
    const refusal = this.window.refusal();
    const retryAfter = refusal?.extra["retry-after"];
    return {
      window: this.window.current ?? null,
      open: refusal !== undefined,
      retryAfter: retryAfter === undefined ? null : Number(retryAfter),
    };
  }

  /** `from`/`until` (ISO 8601 or epoch ms) or `startsIn`/`lasts` (durations); an end is required. */
  set(input: {
    from?: string | number;
    until?: string | number;
    startsIn?: string | number;
    lasts?: string | number;
  }): MaintenanceState {
    if (input.from !== undefined && input.startsIn !== undefined)
      throw invalid("give the start as from or as startsIn, not both");
    if (input.until !== undefined && input.lasts !== undefined)
      throw invalid("give the end as until or as lasts, not both");
    if (input.until === undefined && input.lasts === undefined)
      throw invalid('needs an end: until (a time) or lasts (e.g. "2h")');
    const spec: Mutable<MaintenanceSpec> = {};
    if (input.from !== undefined) spec.from = time("from", input.from);
    if (input.until !== undefined) spec.until = time("until", input.until);
    if (input.startsIn !== undefined) spec.startsInMs = duration("startsIn", input.startsIn, true);
    if (input.lasts !== undefined) spec.lastsMs = duration("lasts", input.lasts, false);
    const period = maintenancePeriod(spec, this.clock.now());
    if (period.until <= period.from) throw invalid("the window must end after it starts");
    this.window.set(period);
    return this.state();
  }

  clear(): MaintenanceState {
    this.window.clear();
    return this.state();
  }
}

function invalid(detail: string): ApiError {
  return new ApiError("maintenance_invalid", detail);
}

function time(field: string, value: string | number): number {
  const ms = typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0) throw invalid(`${field}: not a time: ${String(value)}`);
  return ms;
}

function duration(field: string, value: string | number, zeroOk: boolean): number {
  const ms = typeof value === "number" ? value : parseDuration(value);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || (ms === 0 && !zeroOk))
    throw invalid(`${field}: not a duration: ${String(value)} (e.g. "10m", "2h30m", "PT90S", or ms)`);
  return ms;
}
