import type { FaultWhen } from "./fault-rule.js";
import { type RandomSource, seededRandom } from "./seeded-random.js";

/**
 * Decides which matching events a rule hits, in this order: outside the clock window or
 * past maxHits → not counted; the event is counted (1, 2, 3…); beyond firstN → no; not a
 * multiple of everyNth → no; then one draw from the seeded generator against the chance.
 * Same seed and same events → same hits.
 */
export class FaultTargeting {
  readonly random: RandomSource;
  private readonly from: number | undefined;
  private readonly until: number | undefined;
  private matched = 0;

  constructor(private readonly when: FaultWhen & { readonly seed: number }) {
    this.random = seededRandom(when.seed);
    this.from = when.from === undefined ? undefined : Date.parse(when.from);
    this.until = when.until === undefined ? undefined : Date.parse(when.until);
  }

  /**
   * `now` on the emulator clock; `hits` so far; `chance` multiplies `probability` (an RTP
   * drop's percent is a chance per packet).
   */
  decide(now: number, hits: number, chance = 1): boolean {
    const w = this.when;
    if (this.from !== undefined && now < this.from) return false;
    if (this.until !== undefined && now >= this.until) return false;
    if (w.maxHits !== undefined && hits >= w.maxHits) return false;
    const n = ++this.matched;
    if (w.firstN !== undefined && n > w.firstN) return false;
    if (w.everyNth !== undefined && n % w.everyNth !== 0) return false;
    const p = (w.probability ?? 1) * chance;
    return p >= 1 || this.random() < p;
  }
}
