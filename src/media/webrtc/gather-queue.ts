/**
 * werift picks a port in a range by probing from the bottom (bind, close, bind again), so two
 * endpoints gathering at once can pick the same port and one bind fails. Gathering within a
 * port range therefore runs one endpoint at a time in this process.
 */
let tail: Promise<unknown> = Promise.resolve();

export function withGatherSlot<T>(serialize: boolean, work: () => Promise<T>): Promise<T> {
  if (!serialize) return work();
  const run = tail.then(work, work);
  tail = run.catch(() => undefined);
  return run;
}
