import { randomInt } from "node:crypto";

/** A uniform number in [0, 1). */
export type RandomSource = () => number;

/**
 * mulberry32: a tiny 32-bit generator, good enough to decide which events a fault hits,
 * and fully determined by its seed (same seed → same sequence → same hits).
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A fresh seed for a rule that was given none (reported back, so the run can be repeated). */
export function newSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}
