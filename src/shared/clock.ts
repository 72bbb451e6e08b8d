/**
 * The clocks of the emulator. Every expiry (bindings, nonces, JWT status) reads an
 * injected `Clock`, never `Date.now()` directly, so tests and the REST control can
 * move time. Timers are scheduled in the clock's own time.
 */
export interface TimerHandle {
  readonly due: number;
}

export interface Clock {
  /** Current time in ms since the epoch, in this clock's time. */
  now(): number;
  /** Run `fn` once when this clock reaches now() + delayMs. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

interface PendingTimer extends TimerHandle {
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock whose time is driven by `advance()`/`set()`; when `running`, it also follows
 * real time (emulator time = wall time + offset). Timers live in a binary heap and one
 * real `setTimeout` is armed for the earliest of them, so 100k timers cost one handle.
 */
export class ControllableClock implements Clock {
  private offset: number;
  private frozenAt: number | undefined;
  private readonly heap: PendingTimer[] = [];
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(options: { start?: number; frozen?: boolean } = {}) {
    const wall = Date.now();
    this.offset = options.start === undefined ? 0 : options.start - wall;
    this.frozenAt = options.frozen ? wall + this.offset : undefined;
  }

  now(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = {
      due: this.now() + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.push(timer);
    this.arm();
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as PendingTimer).cancelled = true;
  }

  /** Move time forward by `ms`, firing every timer that falls due, in due order. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError("the clock only moves forward; use set() to jump");
    this.set(this.now() + ms);
  }

  /**
   * Jump to `time`. Jumping backwards is allowed (timers keep their due time in clock
   * time, so nothing fires early or twice); jumping forwards fires what falls due.
   */
  set(time: number): void {
    if (this.frozenAt !== undefined) this.frozenAt = time;
    else this.offset = time - Date.now();
    this.fireDue();
  }

  /**
   * Jump and/or freeze in one step. Freezing happens before the jump and resuming after
   * it, so the clock lands on exactly `now` (a running clock would tick in between).
   */
  setState(state: { now?: number; frozen?: boolean }): void {
    if (state.frozen === true && !this.frozen) this.freeze(true);
    if (state.now !== undefined) this.set(state.now);
    if (state.frozen === false && this.frozen) this.freeze(false);
  }

  /** Stop (true) or resume (false) the flow of real time. */
  freeze(frozen: boolean): void {
    const now = this.now();
    if (frozen) this.frozenAt = now;
    else {
      this.frozenAt = undefined;
      this.offset = now - Date.now();
    }
    this.armedFor = Number.POSITIVE_INFINITY;
    this.arm();
  }

  /** Number of live timers (for tests and diagnostics). */
  get pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Stop the real timer so the process can exit. */
  dispose(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.heap.length = 0;
  }

  private fireDue(): void {
    const now = this.now();
    for (;;) {
      const top = this.heap[0];
      if (!top || top.due > now) break;
      this.pop();
      if (!top.cancelled) top.fn();
    }
    this.armedFor = Number.POSITIVE_INFINITY;
    this.arm();
  }

  private arm(): void {
    while (this.heap[0]?.cancelled) this.pop();
    const top = this.heap[0];
    if (!top || this.frozenAt !== undefined) {
      if (this.realTimer) clearTimeout(this.realTimer);
      this.realTimer = undefined;
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    if (top.due >= this.armedFor) return;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.armedFor = top.due;
    // setTimeout caps at 2^31-1 ms; a far timer re-arms when the cap fires.
    const delay = Math.min(Math.max(0, top.due - this.now()), 2_147_483_647);
    this.realTimer = setTimeout(() => this.fireDue(), delay);
    this.realTimer.unref();
  }

  private push(timer: PendingTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): PendingTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/** Real time, for protocol timers (RFC 3261 Timer B, F, H…) that must follow the wire. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, delayMs) as NodeJS.Timeout & { due: number };
    t.unref();
    t.due = Date.now() + delayMs;
    return t;
  }
  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  }
}
