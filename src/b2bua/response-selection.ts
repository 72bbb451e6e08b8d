/**
 * RFC 3261 §16.7 step 6, the model for answering the PBX once every forked branch failed:
 * a 6xx wins; otherwise the lowest response class, and within it the first to arrive.
 * Returns the index of the chosen status, or -1 for none.
 */
export function bestFinalResponse(statuses: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < statuses.length; i++) {
    if (best === -1 || rank(statuses[i]!) < rank(statuses[best]!)) best = i;
  }
  return best;
}

function rank(status: number): number {
  const cls = Math.floor(status / 100);
  return cls === 6 ? 0 : cls;
}
