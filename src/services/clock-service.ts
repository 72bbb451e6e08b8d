import { ApiError } from "../errors/index.js";
import type { ControllableClock } from "../shared/clock.js";
import { parseDuration } from "../shared/duration.js";

export interface ClockState {
  readonly now: number;
  readonly frozen: boolean;
  /** Emulator time minus wall time, in ms. */
  readonly offsetMs: number;
}

/**
 * The emulator clock as the REST API sees it. Rules: advancing fires everything that
 * falls due, in due order (bindings expire, JWT states change on the next read). Setting
 * the clock back is allowed: bindings and timers keep their absolute due times, so
 * nothing fires twice or early — a binding simply has longer to live.
 */
export class ClockService {
  constructor(private readonly clock: ControllableClock) {}

  state(): ClockState {
    const now = this.clock.now();
    return { now, frozen: this.clock.frozen, offsetMs: now - Date.now() };
  }

  set(input: { now?: string | number; frozen?: boolean }): ClockState {
    let time: number | undefined;
    if (input.now !== undefined) {
      time = typeof input.now === "number" ? input.now : Date.parse(input.now);
      if (!Number.isFinite(time) || time < 0)
        throw new ApiError("clock_invalid", `not a time: ${String(input.now)}`);
    }
    this.clock.setState({ now: time, frozen: input.frozen });
    return this.state();
  }

  advance(by: string | number): ClockState {
    const ms = typeof by === "number" ? by : parseDuration(by);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      throw new ApiError(
        "clock_invalid",
        `not a duration: ${String(by)} (e.g. "31d", "2h30m", "PT90S", or ms)`,
      );
    }
    this.clock.advance(ms);
    return this.state();
  }
}
