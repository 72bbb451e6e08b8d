import type { Rng } from "../lib/rng.js";
import { crossOver, mutate } from "./mutators.js";

/** Picks a corpus entry and damages it; 1 in 10 goes out unchanged so the happy path keeps running. */
export function nextMessage(
  corpus: readonly Buffer[],
  rng: Rng,
  text: boolean,
): { bytes: Buffer; steps: string[] } {
  const seed = rng.pick(corpus);
  if (rng.chance(0.1)) return { bytes: seed, steps: ["seed"] };
  const base = rng.chance(0.1) ? crossOver(seed, rng.pick(corpus), rng) : seed;
  return mutate(base, rng, text);
}

/** Cuts `bytes` into 1–5 pieces, so a message spans several TLS records or WebSocket fragments. */
export function splitPoints(bytes: Buffer, rng: Rng): Buffer[] {
  if (bytes.length < 2 || rng.chance(0.6)) return [bytes];
  const cuts = new Set<number>();
  for (let n = rng.range(1, 4); n > 0; n--) cuts.add(rng.range(1, bytes.length - 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of sorted) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  out.push(bytes.subarray(from));
  return out;
}
